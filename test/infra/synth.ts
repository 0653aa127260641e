/** Synthesises both stacks of a stage in memory, offline and without Docker. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { createHoptraceStacks, type HoptraceStacks } from "../../infra/hoptrace.js";
import { parseStageConfig, STAGE_DEFAULTS, type StageConfig } from "../../infra/stage-config.js";

export interface SynthOptions {
  stage?: "dev" | "prod";
  /** Run esbuild for the function assets; skipped otherwise (the templates are the same). */
  bundle?: boolean;
  overrides?: Partial<StageConfig>;
  /**
   * Run CDK's built-in CloudFormation template validation (about two seconds a synthesis); off
   * unless a test reads its findings.
   */
  cloudFormationValidation?: boolean;
  /** Extra work on the app before synthesis, e.g. registering validation plugins. */
  before?: (app: App, stacks: HoptraceStacks) => void;
}

export interface Synthesised extends HoptraceStacks {
  app: App;
  config: StageConfig;
  outdir: string;
  stateful: HoptraceStacks["stateful"];
  stateless: HoptraceStacks["stateless"];
  statefulTemplate: Template;
  statelessTemplate: Template;
}

export function synthHoptrace(opts: SynthOptions = {}): Synthesised {
  const stage = opts.stage ?? "dev";
  const outdir = mkdtempSync(join(tmpdir(), "hoptrace-cdk-"));
  const app = new App({
    outdir,
    builtinCloudFormationValidation: opts.cloudFormationValidation ?? false,
    context: {
      "@aws-cdk/core:defaultCrossStackReferences": "strong",
      "@aws-cdk/aws-iam:minimizePolicies": true,
      // Validation findings are read from the report the tests inspect, not thrown.
      "@aws-cdk/core:failSynthOnValidationErrors": false,
      ...(opts.bundle ? {} : { "aws:cdk:bundling-stacks": [] }),
    },
  });
  const config = parseStageConfig({ ...STAGE_DEFAULTS[stage], stage, ...opts.overrides });
  const stacks = createHoptraceStacks(app, config);
  opts.before?.(app, stacks);
  app.synth();
  return {
    app,
    config,
    outdir,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}
