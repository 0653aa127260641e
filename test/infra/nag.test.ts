import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Validations } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { synthHoptrace, type Synthesised } from "./synth.js";

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: Array<{ constructPath: string }>;
}
interface PluginReport {
  pluginName: string;
  violations: Violation[];
  suppressedViolations?: Violation[];
}

let dev: Synthesised;
let prod: Synthesised;

function withNag(stage: "dev" | "prod"): Synthesised {
  return synthHoptrace({
    stage,
    overrides: stage === "prod" ? { tracing: false, publicUrl: "https://traceback.example.org", mailFrom: "traceback@example.org" } : {},
    before: (app) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)),
  });
}

function nagReport(s: Synthesised): PluginReport | undefined {
  const report = JSON.parse(readFileSync(join(s.outdir, "validation-report.json"), "utf8")) as { pluginReports: PluginReport[] };
  return report.pluginReports.find((r) => r.pluginName.includes("AwsSolutions"));
}

function unacknowledged(s: Synthesised, severity: string): string[] {
  return (nagReport(s)?.violations ?? [])
    .filter((v) => v.ruleName.startsWith("AwsSolutions-") && v.severity === severity)
    .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`));
}

/** Acknowledgments as recorded on the constructs: `{ "<namespace>::<rule id>": reason }`. */
function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^[A-Za-z]+::/, ""), reason })),
  );
}

beforeAll(() => {
  dev = withNag("dev");
  prod = withNag("prod");
}, 60_000);

describe("cdk-nag AWS Solutions checks", () => {
  it("inspect both stacks, and their findings reach the report (a planted finding in each is reported)", () => {
    const planted = synthHoptrace({
      before: (app, stacks) => {
        for (const stack of [stacks.stateful, stacks.stateless]) new Queue(stack, "PlantedQueue", { encryption: QueueEncryption.UNENCRYPTED });
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      },
    });
    const findings = unacknowledged(planted, "error");
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ at Hoptrace-dev-Stateful\/PlantedQueue/),
        expect.stringMatching(/ at Hoptrace-dev-Stateless\/PlantedQueue/),
      ]),
    );
    expect(findings.every((f) => f.includes("/PlantedQueue"))).toBe(true);
  }, 60_000);

  it("finds no unacknowledged error in dev or prod", () => {
    expect(unacknowledged(dev, "error")).toEqual([]);
    expect(unacknowledged(prod, "error")).toEqual([]);
  });

  it("finds no unacknowledged warning either", () => {
    expect(unacknowledged(dev, "warning")).toEqual([]);
  });

  it("acknowledges every finding with a specific written reason", () => {
    const all = acknowledgments(dev.app);
    expect(all.length).toBeGreaterThan(0);
    for (const a of all) {
      expect(a.id, a.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThan(60);
    }
  });

  it("acknowledges no IAM5 wildcard except X-Ray's resource-less actions and the integrator's ListStreams", () => {
    const iam5 = acknowledgments(dev.app).filter((a) => a.id.startsWith("AwsSolutions-IAM5"));
    for (const a of iam5) expect(a.id).toBe("AwsSolutions-IAM5[Resource::*]");
    // Without tracing, only the integrator's stream listing is left.
    const prodIam5 = acknowledgments(prod.app).filter((a) => a.id.startsWith("AwsSolutions-IAM5"));
    expect(prodIam5.map((a) => [a.id, a.path])).toEqual([["AwsSolutions-IAM5[Resource::*]", "Hoptrace-prod-Stateless/IntegratorFunction/Function"]]);
    expect(prodIam5[0]!.reason).toMatch(/^dynamodb:ListStreams/);
  });
});
