/** Both stacks of one stage, wired together; used by the app and by the tests. */
import type { App, Environment } from "aws-cdk-lib";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack } from "./stateless-stack.js";
import type { StageConfig } from "./stage-config.js";

export interface HoptraceStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export function createHoptraceStacks(app: App, config: StageConfig, env?: Environment): HoptraceStacks {
  const prefix = `Hoptrace-${config.stage}`;
  const common = { config, ...(env && { env }), tags: { project: "hoptrace", stage: config.stage } };
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    ...common,
    description: `Hoptrace ${config.stage}: table, delivery queues, hub key and webhook secrets key (retained on delete)`,
    terminationProtection: config.deletionProtection,
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    ...common,
    description: `Hoptrace ${config.stage}: API, functions, schedules and alarms`,
    table: stateful.table,
    deliveryQueue: stateful.deliveryQueue,
    slowDeliveryQueue: stateful.slowDeliveryQueue,
    deliveryDeadLetterQueue: stateful.deliveryDeadLetterQueue,
    hubKeySecret: stateful.hubKeySecret,
    webhookSecretsKey: stateful.webhookSecretsKey,
  });
  return { stateful, stateless };
}
