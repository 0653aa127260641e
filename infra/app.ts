/**
 * The CDK app: `npx cdk deploy --all -c stage=dev`. cdk-nag's AWS Solutions checks run on every
 * synth, so a finding nobody has answered for stops the deployment.
 */
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { createHoptraceStacks } from "./hoptrace.js";
import { resolveStageConfig } from "./stage-config.js";

const app = new App();
const config = resolveStageConfig((key) => app.node.tryGetContext(key));
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
createHoptraceStacks(app, config, account && region ? { account, region } : undefined);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
