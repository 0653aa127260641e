/**
 * What can be replaced at will: the functions, the HTTP API in front of the API function, the
 * schedules, the alarms. Each function gets exactly the access its code needs.
 */
import { CfnOutput, Duration, Stack, Validations, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, PayloadFormatVersion } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { FilterCriteria, FilterRule, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct, IConstruct } from "constructs";
import { TABLE } from "../functions/adapters/dynamo/keys.js";
import { HANDLER_NAMES, type HandlerName } from "./bundling.js";
import { HoptraceFunction } from "./hoptrace-function.js";
import { mailIdentityOf, type StageConfig } from "./stage-config.js";

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  table: ITable;
  deliveryQueue: IQueue;
  slowDeliveryQueue: IQueue;
  deliveryDeadLetterQueue: IQueue;
  hubKeySecret: ISecret;
  webhookSecretsKey: ISecret;
}

/** Messages per slow-lane invocation: each may wait out a 10 s timeout, so few share one. */
export const SLOW_LANE_BATCH_SIZE = 2;

/** What each function's code does with each resource; the grants below follow from it alone. */
interface Access {
  /** Reads and writes the table: every function but the console. */
  table: boolean;
  queue: { send: boolean; consume: boolean };
  /** Sends e-mail through SES: invitations (the API), notifications (the delivery worker). */
  mail: boolean;
  /** Only the API creates the hub key (on its first start); the others but the console only read it. */
  hubKey: "none" | "read" | "read-write";
  /** Seals or opens webhook secrets: the API (endpoints) and the delivery worker (signing). */
  webhookSecrets: boolean;
}

export const FUNCTION_ACCESS: Record<HandlerName, Access> = {
  api: { table: true, queue: { send: true, consume: false }, mail: true, hubKey: "read-write", webhookSecrets: true },
  console: { table: false, queue: { send: false, consume: false }, mail: false, hubKey: "none", webhookSecrets: false },
  delivery: { table: true, queue: { send: true, consume: true }, mail: true, hubKey: "read", webhookSecrets: true },
  reconciler: { table: true, queue: { send: true, consume: false }, mail: false, hubKey: "read", webhookSecrets: false },
  sweeper: { table: true, queue: { send: true, consume: false }, mail: false, hubKey: "read", webhookSecrets: false },
  integrator: { table: true, queue: { send: false, consume: false }, mail: false, hubKey: "read", webhookSecrets: false },
};

/**
 * The DynamoDB calls the adapters make (Get, BatchGet, Query, Put, Update, Delete and BatchWrite
 * commands). No Scan and no transactions: nothing in the deployed code scans the table or
 * writes in a transaction, so neither Scan nor ConditionCheckItem is granted.
 */
export const TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
];

/** The code sends in batches (SendMessageBatch is authorised as SendMessage); queue URLs come from the environment. */
export const QUEUE_SEND_ACTIONS = ["sqs:SendMessage"];
/** What the SQS event source does as the function's role; the code itself only deletes (DeleteMessageBatch). */
export const QUEUE_CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];
/** The code reads a secret's value, never its description. */
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue"];

/** The console's paths (functions/http/routes/console.ts), which the HTTP API sends to the console function. */
export const CONSOLE_ROUTE_PATHS = ["/console", "/console/{proxy+}"];

const SCHEDULED: HandlerName[] = ["reconciler", "sweeper", "integrator"];

export class StatelessStack extends Stack {
  readonly functions: Record<HandlerName, HoptraceFunction>;
  readonly api: HttpApi;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    const environment: Record<string, string> = {
      TABLE_NAME: props.table.tableName,
      DELIVERY_QUEUE_URL: props.deliveryQueue.queueUrl,
      DELIVERY_SLOW_QUEUE_URL: props.slowDeliveryQueue.queueUrl,
      HUB_KEY_SECRET_ARN: props.hubKeySecret.secretArn,
      DEFAULT_DEADLINE_POLICY: config.defaultDeadlinePolicy,
      LOG_LEVEL: config.logLevel,
      MAIL_FROM: `Hoptrace <${config.mailFrom}>`,
      ...(config.consortiumPublicJwk && { CONSORTIUM_PUBLIC_JWK: JSON.stringify(config.consortiumPublicJwk) }),
    };
    const make = (handler: HandlerName) =>
      new HoptraceFunction(this, `${capitalise(handler)}Function`, {
        handler,
        // The console reads its public URL (added below) and log level, nothing else.
        environment: handler === "console" ? { LOG_LEVEL: config.logLevel } : environment,
        logRetention: config.logRetentionDays,
        tracing: config.tracing,
        // A missed scheduled run is repeated by the next one a minute later; retrying it only overlaps.
        ...(SCHEDULED.includes(handler) && { retryAttempts: 0 }),
        // One integrator at a time: a second would only lose the race for each batch.
        ...(handler === "integrator" && { reservedConcurrency: 1 }),
      });
    this.functions = Object.fromEntries(HANDLER_NAMES.map((h) => [h, make(h)])) as Record<HandlerName, HoptraceFunction>;

    this.api = this.httpApi(config, this.functions.api, this.functions.console);
    // The Api resource depends on no function (its integration and routes do), so the functions
    // may read its endpoint without a dependency cycle. The `$default` stage is served at the
    // endpoint's root: no stage name in the URL, and none in the path the function sees.
    const publicUrl = config.publicUrl ?? this.api.apiEndpoint;

    for (const name of HANDLER_NAMES) {
      const fn = this.functions[name].fn;
      fn.addEnvironment("PUBLIC_URL", publicUrl);
      this.grant(name, fn, props);
    }

    // Mappings rather than SqsEventSource, which would also grant ChangeMessageVisibility and
    // GetQueueUrl; what the mapping needs of the role is granted in grant() below.
    this.functions.delivery.fn.addEventSourceMapping("DeliveryQueueSource", {
      eventSourceArn: props.deliveryQueue.queueArn,
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: config.deliveryMaxConcurrency,
    });
    // The slow lane has workers of its own, so endpoints that time out (10 s an attempt) take
    // only these; small batches, so one slow endpoint holds up few others in the same lane.
    this.functions.delivery.fn.addEventSourceMapping("SlowDeliveryQueueSource", {
      eventSourceArn: props.slowDeliveryQueue.queueArn,
      batchSize: SLOW_LANE_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: config.slowLaneMaxConcurrency,
    });

    // Right after log entries are written: the integrator then reads what is pending from the
    // index, so a record only says "look now", and one lost is made up by the minute schedule.
    this.functions.integrator.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 1000,
        retryAttempts: 1,
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual("INSERT"), dynamodb: { Keys: { pk: { S: FilterRule.beginsWith("LOGENTRY#") } } } })],
      }),
    );

    for (const name of SCHEDULED) {
      new Rule(this, `${capitalise(name)}Schedule`, {
        description: `Runs the Hoptrace ${name} every minute`,
        schedule: Schedule.rate(Duration.minutes(1)),
        targets: [new LambdaFunction(this.functions[name].fn, { retryAttempts: 0 })],
      });
    }

    this.alarmTopic = this.alarms(config, props);

    new CfnOutput(this, "ApiUrl", { description: "Public base URL of the Hoptrace API", value: publicUrl });
    new CfnOutput(this, "JwksUrl", { description: "The hub's published signing keys", value: `${publicUrl}/.well-known/jwks.json` });

    this.acknowledgeNagFindings(config);
  }

  /**
   * An HTTP API (payload format 2.0) whose `$default` route goes to the API function, which
   * answers unknown paths itself, and whose /console routes go to the console function. Its `$default` stage carries the throttling and the access log;
   * what a REST API stage also had and an HTTP API has not (execution logs, X-Ray, a WAF web ACL)
   * is in infra/README.md.
   */
  private httpApi(config: StageConfig, api: HoptraceFunction, consoleFn: HoptraceFunction): HttpApi {
    const accessLogs = new LogGroup(this, "ApiAccessLogs", { retention: config.logRetentionDays });
    const httpApi = new HttpApi(this, "Api", {
      description: `Hoptrace ${config.stage} API`,
      defaultIntegration: new HttpLambdaIntegration("ApiIntegration", api.fn, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 }),
      createDefaultStage: false,
    });
    const consoleIntegration = new HttpLambdaIntegration("ConsoleIntegration", consoleFn.fn, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 });
    for (const path of CONSOLE_ROUTE_PATHS) httpApi.addRoutes({ path, methods: [HttpMethod.GET, HttpMethod.HEAD], integration: consoleIntegration });
    new HttpStage(this, "ApiStage", {
      httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: config.throttling.rateLimit, burstLimit: config.throttling.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route, never the path, query or body: those carry call records. The integration's
        // error stands in for a REST stage's execution log at level ERROR.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            ip: "$context.identity.sourceIp",
            requestTime: "$context.requestTime",
            httpMethod: "$context.httpMethod",
            routeKey: "$context.routeKey",
            status: "$context.status",
            protocol: "$context.protocol",
            responseLength: "$context.responseLength",
            integrationStatus: "$context.integrationStatus",
            integrationLatency: "$context.integrationLatency",
            integrationError: "$context.integrationErrorMessage",
          }),
        ),
      },
    });
    return httpApi;
  }

  private grant(name: HandlerName, fn: HoptraceFunction["fn"], props: StatelessStackProps): void {
    const access = FUNCTION_ACCESS[name];
    if (access.table) fn.addToRolePolicy(new PolicyStatement({ actions: TABLE_ACTIONS, resources: tableAndIndexArns(props.table) }));
    const queues = [props.deliveryQueue.queueArn, props.slowDeliveryQueue.queueArn];
    if (access.queue.send) fn.addToRolePolicy(new PolicyStatement({ actions: QUEUE_SEND_ACTIONS, resources: queues }));
    if (access.queue.consume) fn.addToRolePolicy(new PolicyStatement({ actions: QUEUE_CONSUME_ACTIONS, resources: queues }));
    if (access.mail) {
      // SES v2 SendEmail (raw MIME included) as the configured sender only, from its own identity.
      const identity = Stack.of(this).formatArn({ service: "ses", resource: "identity", resourceName: mailIdentityOf(props.config) });
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ["ses:SendEmail"], resources: [identity], conditions: { StringEquals: { "ses:FromAddress": props.config.mailFrom } } }),
      );
    }
    if (access.hubKey !== "none") fn.addToRolePolicy(new PolicyStatement({ actions: SECRET_READ_ACTIONS, resources: [props.hubKeySecret.secretArn] }));
    if (access.hubKey === "read-write") {
      fn.addToRolePolicy(new PolicyStatement({ actions: ["secretsmanager:PutSecretValue"], resources: [props.hubKeySecret.secretArn] }));
    }
    if (access.webhookSecrets) {
      fn.addToRolePolicy(new PolicyStatement({ actions: SECRET_READ_ACTIONS, resources: [props.webhookSecretsKey.secretArn] }));
      fn.addEnvironment("WEBHOOK_SECRETS_KEY_ARN", props.webhookSecretsKey.secretArn);
    }
  }

  private alarms(config: StageConfig, props: StatelessStackProps): Topic {
    const topic = new Topic(this, "AlarmTopic", { displayName: `Hoptrace ${config.stage} alarms`, enforceSSL: true });
    if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const action = new SnsAction(topic);
    const alarm = (id: string, description: string, metric: IMetric, threshold: number) =>
      new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);

    alarm(
      "DeliveryDeadLetterAlarm",
      "Webhook deliveries gave up and wait in the dead-letter queue",
      props.deliveryDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
      config.alarms.dlqDepth,
    );
    alarm(
      "DeliveryQueueAgeAlarm",
      "The oldest webhook delivery has waited too long: the delivery function is failing or throttled",
      props.deliveryQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: "Maximum" }),
      config.alarms.oldestMessageAgeSeconds,
    );
    alarm(
      "SlowDeliveryQueueAgeAlarm",
      "The oldest retry in the slow lane has waited too long: failing endpoints outnumber its workers",
      props.slowDeliveryQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: "Maximum" }),
      config.alarms.oldestMessageAgeSeconds,
    );
    for (const name of HANDLER_NAMES) {
      alarm(
        `${capitalise(name)}ErrorsAlarm`,
        `The ${name} function failed`,
        this.functions[name].fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
        config.alarms.functionErrors,
      );
    }
    return topic;
  }

  /**
   * The AWS Solutions findings this design answers differently, each with its reason. Findings
   * are acknowledged one by one (IAM5 per resource pattern) so a new wildcard still fails.
   */
  private acknowledgeNagFindings(config: StageConfig): void {
    const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

    acknowledge(
      this.api,
      "AwsSolutions-APIG4",
      "Every /v1 request is authenticated in the function by an RFC 9421 HTTP message signature over method, target URI and content digest; /health, the JWKS, the OpenAPI document and the console's page and files (routed to the console function) are public by design.",
    );
    acknowledge(
      this.api,
      "AwsSolutions-COG4",
      "Callers are telecom providers holding Ed25519 keys registered with the hub and authenticated per request by RFC 9421 signatures; there are no end users for a Cognito user pool.",
    );
    for (const name of HANDLER_NAMES) {
      const fn = this.functions[name].fn;
      acknowledge(
        fn,
        `AwsSolutions-IAM4[Policy::${managedPolicy("AWSLambdaBasicExecutionRole")}]`,
        "AWSLambdaBasicExecutionRole only lets the function write its CloudWatch logs; it grants no access to data.",
      );
      const resourceless = [
        ...(config.tracing ? ["X-Ray's PutTraceSegments and PutTelemetryRecords"] : []),
        ...(name === "integrator" ? ["dynamodb:ListStreams, which the table stream's event source needs,"] : []),
      ];
      if (resourceless.length > 0) {
        acknowledge(fn, "AwsSolutions-IAM5[Resource::*]", `${resourceless.join(" and ")} support no resource-level permissions.`);
      }
      acknowledge(
        fn,
        "AwsSolutions-L1",
        "The code is built and tested for Node.js 22; the runtime moves on deliberately together with the test matrix, not with each Lambda release.",
      );
    }
    acknowledge(
      this.alarmTopic,
      "AwsSolutions-SNS2",
      "Alarm notifications carry alarm names and metric values only; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would protect no sensitive data.",
    );
  }
}

/** The table and each index named in keys.ts, one by one: no `index/*` wildcard. */
function tableAndIndexArns(table: ITable): string[] {
  return [table.tableArn, ...Object.values(TABLE.indexes).map((index) => `${table.tableArn}/index/${index.name}`)];
}

function managedPolicy(name: string): string {
  return `arn:<AWS::Partition>:iam::aws:policy/service-role/${name}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
