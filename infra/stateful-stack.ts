/**
 * What holds data and outlives every deployment: the single table, the delivery queue with its
 * dead-letter queue, the hub signing key and the data key of the webhook secrets. Everything
 * here is retained when the stack goes.
 */
import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { TABLE } from "../functions/adapters/dynamo/keys.js";
import { DELIVERY_VISIBILITY_TIMEOUT_SECONDS } from "./function-sizing.js";
import type { StageConfig } from "./stage-config.js";

export const DELIVERY_MAX_RECEIVE_COUNT = 5;

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

export class StatefulStack extends Stack {
  readonly table: Table;
  readonly deliveryQueue: Queue;
  /** The slow lane: attempts at endpoints whose last attempt failed, consumed apart (see deliveries.ts). */
  readonly slowDeliveryQueue: Queue;
  readonly deliveryDeadLetterQueue: Queue;
  readonly hubKeySecret: Secret;
  readonly webhookSecretsKey: Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new Table(this, "Table", {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: config.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
      // Keys only: the stream just tells the log integrator that entries were written.
      stream: StreamViewType.KEYS_ONLY,
    });
    for (const index of Object.values(TABLE.indexes)) {
      // DynamoDB cannot change an index's projection: it is dropped by one deploy and created again by the next.
      if (index.name === config.withoutIndex) continue;
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...(index.projection.type === "ALL"
          ? { projectionType: ProjectionType.ALL }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.attributes] }),
      });
    }

    this.deliveryDeadLetterQueue = new Queue(this, "DeliveryDeadLetterQueue", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deliveryQueue = (id: string) =>
      new Queue(this, id, {
        visibilityTimeout: Duration.seconds(DELIVERY_VISIBILITY_TIMEOUT_SECONDS),
        // Deliveries wait out an outage of the delivery function over a long weekend.
        retentionPeriod: Duration.days(4),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: this.deliveryDeadLetterQueue, maxReceiveCount: DELIVERY_MAX_RECEIVE_COUNT },
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.deliveryQueue = deliveryQueue("DeliveryQueue");
    this.slowDeliveryQueue = deliveryQueue("SlowDeliveryQueue");

    // The code replaces the placeholder with an Ed25519 private JWK on its first cold start
    // (functions/adapters/keys/hub-key-secret.ts). The generated placeholder has no `d`, which
    // is how the code tells it apart. Never change this definition once deployed: CloudFormation
    // would write a new placeholder version over the hub's key.
    this.hubKeySecret = new Secret(this, "HubSigningKey", {
      description: `Hoptrace ${config.stage} hub signing key (Ed25519 private JWK)`,
      generateSecretString: { secretStringTemplate: JSON.stringify({ placeholder: true }), generateStringKey: "nonce", excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The random string the data key of the webhook secrets at rest is derived from
    // (functions/adapters/keys/data-key-secret.ts); the table holds only their ciphertexts. Never
    // change this definition once deployed: a new string would leave every stored secret unreadable.
    this.webhookSecretsKey = new Secret(this, "WebhookSecretsKey", {
      description: `Hoptrace ${config.stage} data key of the webhook secrets at rest`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Validations.of(this.webhookSecretsKey).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The value is the key every stored webhook secret is sealed under: a scheduled rotation would make them all unreadable. Rotating it means sealing every endpoint's secrets again under the new key, an operation of its own, not a schedule.",
    });
    Validations.of(this.hubKeySecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Managed rotation needs a rotation Lambda that generates the new value; the hub key is an Ed25519 JWK the application itself generates, so rotation is an operator writing a new secret version (infra/README.md), not a schedule.",
    });
  }
}
