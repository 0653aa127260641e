/**
 * The one way a Hoptrace function is built: Node.js 22 on Graviton, an ESM bundle made by the
 * local esbuild with the options of ./bundling.ts, explicit memory and timeout, and its own log
 * group with a retention period (a function left to create its log group keeps logs forever).
 */
import { Duration } from "aws-cdk-lib";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import {
  ALIAS_ARGS,
  ESBUILD_TARGET,
  ESM_REQUIRE_BANNER,
  EXTERNAL_MODULES,
  MAIN_FIELDS,
  MINIFY,
  NODE_OPTIONS,
  REPO_ROOT,
  SOURCE_MAP,
  consoleBuildCommand,
  handlerEntry,
  type HandlerName,
} from "./bundling.js";
import { FUNCTION_SIZING } from "./function-sizing.js";

export interface HoptraceFunctionProps {
  handler: HandlerName;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  tracing: boolean;
  /** Retries of asynchronous invocations (schedules); Lambda's default is 2. */
  retryAttempts?: number;
  /** Invocations that may run at once; the account's unreserved pool when absent. */
  reservedConcurrency?: number;
}

export class HoptraceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HoptraceFunctionProps) {
    super(scope, id);
    const sizing = FUNCTION_SIZING[props.handler];
    this.logGroup = new LogGroup(this, "Logs", { retention: props.logRetention });
    this.fn = new NodejsFunction(this, "Function", {
      entry: handlerEntry(props.handler),
      handler: "handler",
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}/package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: sizing.memoryMiB,
      timeout: Duration.seconds(sizing.timeoutSeconds),
      description: sizing.description,
      logGroup: this.logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(props.retryAttempts !== undefined && { retryAttempts: props.retryAttempts }),
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: {
        HOPTRACE_MODE: "aws",
        NODE_OPTIONS,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        minify: MINIFY,
        sourceMap: SOURCE_MAP,
        mainFields: MAIN_FIELDS,
        externalModules: EXTERNAL_MODULES,
        banner: ESM_REQUIRE_BANNER,
        esbuildArgs: ALIAS_ARGS,
        forceDockerBundling: false,
        // The console function serves the built console from dist/ beside its bundle (functions/console/assets.ts).
        ...(props.handler === "console" && {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => [consoleBuildCommand(outputDir)],
          },
        }),
      },
    });
  }
}
