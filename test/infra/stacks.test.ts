import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CfnResource } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { TABLE } from "../../functions/adapters/dynamo/keys.js";
import { createTableInput } from "../../functions/adapters/dynamo/table-definition.js";
import { loadConsoleAssets } from "../../functions/console/assets.js";
import { ESM_REQUIRE_BANNER, HANDLER_NAMES, type HandlerName } from "../../infra/bundling.js";
/** The functions that build the hub's runtime (config.ts, container.ts); the console builds none. */
const RUNTIME_HANDLERS = HANDLER_NAMES.filter((name) => name !== "console");
import { FUNCTION_SIZING } from "../../infra/function-sizing.js";
import { DELIVERY_MAX_RECEIVE_COUNT } from "../../infra/stateful-stack.js";
import { FUNCTION_ACCESS, SLOW_LANE_BATCH_SIZE } from "../../infra/stateless-stack.js";
import { synthHoptrace, type Synthesised } from "./synth.js";

type Resource = { Type: string; Properties?: any; DependsOn?: string | string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown };

const CONSORTIUM_JWK = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };

let dev: Synthesised;
let prod: Synthesised;

beforeAll(() => {
  dev = synthHoptrace({ stage: "dev", bundle: true, overrides: { consortiumPublicJwk: CONSORTIUM_JWK } });
  prod = synthHoptrace({
    stage: "prod",
    cloudFormationValidation: true,
    overrides: { publicUrl: "https://traceback.example.org", mailFrom: "traceback@mail.example.org", mailIdentity: "example.org" },
  });
}, 60_000);

function resources(template: Template, type?: string): Array<[string, Resource]> {
  const all = template.toJSON().Resources as Record<string, Resource>;
  return Object.entries(all).filter(([, r]) => type === undefined || r.Type === type);
}

function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0]!;
}

function functionOf(template: Template, handler: HandlerName): [string, Resource] {
  const description = FUNCTION_SIZING[handler].description;
  return only(
    resources(template, "AWS::Lambda::Function").filter(([, r]) => r.Properties.Description === description),
    `the ${handler} function`,
  );
}

function table(s: Synthesised): Resource {
  return only(resources(s.statefulTemplate, "AWS::DynamoDB::Table"), "the table")[1];
}

/** The two delivery lanes (normal and slow) and their shared dead-letter queue. */
function queues(s: Synthesised) {
  const all = resources(s.statefulTemplate, "AWS::SQS::Queue");
  const lanes = all.filter(([, r]) => r.Properties.RedrivePolicy);
  expect(lanes.map(([id]) => id.replace(/[0-9A-F]{8}$/, "")).sort()).toEqual(["DeliveryQueue", "SlowDeliveryQueue"]);
  const dlq = only(
    all.filter(([, r]) => !r.Properties.RedrivePolicy),
    "the dead-letter queue",
  );
  return { lanes, dlq };
}

/** Every Allow statement of every identity policy, with the roles it is attached to. */
function allowStatements(template: Template): Array<{ statement: Statement; roles: string[] }> {
  const out: Array<{ statement: Statement; roles: string[] }> = [];
  for (const [id, r] of resources(template)) {
    if (r.Type === "AWS::IAM::Policy" || r.Type === "AWS::IAM::ManagedPolicy") {
      const roles = (r.Properties.Roles ?? []).map((ref: { Ref: string }) => ref.Ref);
      for (const statement of r.Properties.PolicyDocument.Statement) out.push({ statement, roles });
    }
    if (r.Type === "AWS::IAM::Role") {
      for (const policy of r.Properties.Policies ?? []) for (const statement of policy.PolicyDocument.Statement) out.push({ statement, roles: [id] });
    }
  }
  return out.filter(({ statement }) => statement.Effect === "Allow");
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function actionsOfFunction(template: Template, handler: HandlerName): string[] {
  const role = functionOf(template, handler)[1].Properties.Role["Fn::GetAtt"][0];
  return allowStatements(template)
    .filter(({ roles }) => roles.includes(role))
    .flatMap(({ statement }) => actionsOf(statement));
}

/** Logical ids a value refers to through Ref, Fn::GetAtt or ${…} in Fn::Sub. */
function referencesIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencesIn(v, into));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "Ref" && typeof v === "string") into.add(v);
      else if (k === "Fn::GetAtt") into.add(Array.isArray(v) ? String(v[0]) : String(v).split(".")[0]!);
      else if (k === "Fn::Sub") {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)) into.add(m[1]!);
        referencesIn(v, into);
      } else referencesIn(v, into);
    }
  }
  return into;
}

function findCycle(template: Template): string[] | undefined {
  const all = Object.fromEntries(resources(template));
  const edges = new Map<string, string[]>();
  for (const [id, r] of Object.entries(all)) {
    const deps = [...referencesIn(r.Properties), ...(r.DependsOn ? [r.DependsOn].flat() : [])];
    edges.set(
      id,
      deps.filter((d) => d in all),
    );
  }
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...path, id];
    state.set(id, "visiting");
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, "done");
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("the templates", () => {
  type ValidationReport = { pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; description: string }> }> };
  /** What CDK's built-in CloudFormation validation found (it reports a plugin only when it found something). */
  const cloudFormationFindings = (s: Synthesised) =>
    (JSON.parse(readFileSync(join(s.outdir, "validation-report.json"), "utf8")) as ValidationReport).pluginReports
      .filter((r) => r.pluginName === "CloudFormation Validate")
      .flatMap((r) => r.violations.map((v) => `${v.ruleName}: ${v.description}`));

  it("pass the CloudFormation template validation CDK runs at synthesis (a planted bad property is found)", () => {
    expect(cloudFormationFindings(prod)).toEqual([]);
    const planted = synthHoptrace({
      cloudFormationValidation: true,
      overrides: { consortiumPublicJwk: CONSORTIUM_JWK },
      before: (_app, stacks) => void new CfnResource(stacks.stateful, "Planted", { type: "AWS::SQS::Queue", properties: { Bogus: 1 } }),
    });
    expect(cloudFormationFindings(planted)).toEqual([expect.stringMatching(/'Bogus' was unexpected/)]);
  });
});

describe("the table", () => {
  it("has the partition and sort key of keys.ts", () => {
    expect(table(dev).Properties.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
    ]);
  });

  it("has exactly the indexes of keys.ts, keyed and projected as the local table is", () => {
    const deployed = table(dev).Properties.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }>;
    const local = createTableInput("local").GlobalSecondaryIndexes!.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection }));
    const byName = (a: { IndexName?: string }, b: { IndexName?: string }) => a.IndexName!.localeCompare(b.IndexName!);
    expect([...deployed].sort(byName)).toEqual(local.sort(byName));
    expect(local.map((i) => i.IndexName).sort()).toEqual(
      Object.values(TABLE.indexes)
        .map((i) => i.name)
        .sort(),
    );
  });

  it("projects into the schedule and outbox indexes only what finds an item, into the listings whole items", () => {
    const deployed = table(dev).Properties.GlobalSecondaryIndexes as Array<{
      IndexName: string;
      Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
    }>;
    const of = (name: string) => deployed.find((i) => i.IndexName === name)!.Projection;
    expect(of(TABLE.indexes.byOwner.name)).toEqual({ ProjectionType: "ALL" });
    expect(of(TABLE.indexes.openWork.name)).toEqual({ ProjectionType: "ALL" });
    expect(of(TABLE.indexes.schedule.name)).toEqual({ ProjectionType: "INCLUDE", NonKeyAttributes: ["tracebackId", "seq"] });
    expect(of(TABLE.indexes.outbox.name)).toEqual({
      ProjectionType: "INCLUDE",
      NonKeyAttributes: ["entity", "id", "tracebackId", "seq", "statementId", "acceptedAt"],
    });
  });

  it("leaves out the one index a deploy rebuilds, and only that one", () => {
    const rebuilding = synthHoptrace({ stage: "dev", overrides: { consortiumPublicJwk: CONSORTIUM_JWK, withoutIndex: "gsi4" } });
    const deployed = table(rebuilding).Properties.GlobalSecondaryIndexes as Array<{ IndexName: string }>;
    expect(deployed.map((i) => i.IndexName).sort()).toEqual(["gsi1", "gsi2", "gsi3"]);
  });

  it("declares every key attribute as a string", () => {
    const keyNames = [TABLE.partitionKey, TABLE.sortKey, ...Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey])];
    expect(table(dev).Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(keyNames.map((AttributeName) => ({ AttributeName, AttributeType: "S" }))),
    );
  });

  it("expires items by the TTL attribute of keys.ts", () => {
    expect(table(dev).Properties.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
  });

  it("is billed on demand with point-in-time recovery on", () => {
    expect(table(dev).Properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table(dev).Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it("is retained when the stack or the resource goes", () => {
    expect(table(dev).DeletionPolicy).toBe("Retain");
    expect(table(dev).UpdateReplacePolicy).toBe("Retain");
  });

  it("has deletion protection in prod only", () => {
    expect(table(prod).Properties.DeletionProtectionEnabled).toBe(true);
    expect(table(dev).Properties.DeletionProtectionEnabled).toBe(false);
  });
});

function secret(s: Synthesised, logicalIdPrefix: string): [string, Resource] {
  return only(
    resources(s.statefulTemplate, "AWS::SecretsManager::Secret").filter(([id]) => id.startsWith(logicalIdPrefix)),
    logicalIdPrefix,
  );
}

/** The functions whose role may do `action` on the resource a logical id names. */
function functionsAllowed(template: Template, action: string, logicalId: string): HandlerName[] {
  return HANDLER_NAMES.filter((name) => {
    const role = functionOf(template, name)[1].Properties.Role["Fn::GetAtt"][0];
    return allowStatements(template).some(
      ({ statement, roles }) => roles.includes(role) && actionsOf(statement).includes(action) && JSON.stringify(statement.Resource ?? "").includes(logicalId),
    );
  });
}

describe("the key secrets", () => {
  it.each(["HubSigningKey", "WebhookSecretsKey"])("%s is retained, and generated by Secrets Manager, never written in the template", (id) => {
    const [, key] = secret(dev, id);
    expect(key.DeletionPolicy).toBe("Retain");
    expect(key.UpdateReplacePolicy).toBe("Retain");
    expect(key.Properties.SecretString).toBeUndefined();
  });

  it("the hub key starts as a generated placeholder without a private key member", () => {
    const [, hubKey] = secret(dev, "HubSigningKey");
    const template = JSON.parse(hubKey.Properties.GenerateSecretString.SecretStringTemplate);
    expect(template).not.toHaveProperty("d");
    expect(hubKey.Properties.GenerateSecretString.GenerateStringKey).not.toBe("d");
  });
});

describe("the data key of the webhook secrets", () => {
  it("is derived from 64 random characters", () => {
    expect(secret(dev, "WebhookSecretsKey")[1].Properties.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
  });

  it("is readable by the API and the delivery functions only, and writable by none", () => {
    const [id] = secret(dev, "WebhookSecretsKey");
    expect(functionsAllowed(dev.statelessTemplate, "secretsmanager:GetSecretValue", id)).toEqual(["api", "delivery"]);
    for (const action of ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret"]) {
      expect(functionsAllowed(dev.statelessTemplate, action, id), action).toEqual([]);
    }
    for (const name of HANDLER_NAMES) {
      const env = functionOf(dev.statelessTemplate, name)[1].Properties.Environment.Variables;
      if (name === "api" || name === "delivery") expect(JSON.stringify(env.WEBHOOK_SECRETS_KEY_ARN)).toContain(id);
      else expect(env).not.toHaveProperty("WEBHOOK_SECRETS_KEY_ARN");
    }
  });
});

describe("the delivery queue", () => {
  it("sends a message of either lane to the dead-letter queue after five receives, and the DLQ keeps it 14 days", () => {
    const { lanes, dlq } = queues(dev);
    for (const lane of lanes)
      expect(lane[1].Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { "Fn::GetAtt": [dlq[0], "Arn"] }, maxReceiveCount: DELIVERY_MAX_RECEIVE_COUNT });
    expect(DELIVERY_MAX_RECEIVE_COUNT).toBe(5);
    expect(dlq[1].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it("hides a received message for at least six delivery function timeouts", () => {
    const timeout = functionOf(dev.statelessTemplate, "delivery")[1].Properties.Timeout as number;
    for (const lane of queues(dev).lanes) expect(lane[1].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it("encrypts every queue at rest, refuses plain HTTP and is retained", () => {
    const { lanes, dlq } = queues(dev);
    for (const [id, q] of [...lanes, dlq]) {
      expect(q.Properties.SqsManagedSseEnabled).toBe(true);
      expect(q.DeletionPolicy).toBe("Retain");
      dev.statefulTemplate.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]) },
      });
    }
  });
});

describe("the functions", () => {
  it.each(HANDLER_NAMES)("%s runs the ESM bundle on nodejs22.x, arm64, with explicit memory, timeout and a log group with retention", (name) => {
    const [, fn] = functionOf(dev.statelessTemplate, name);
    expect(fn.Properties.Runtime).toBe("nodejs22.x");
    expect(fn.Properties.Architectures).toEqual(["arm64"]);
    expect(fn.Properties.Handler).toBe("index.handler");
    expect(fn.Properties.MemorySize).toBe(FUNCTION_SIZING[name].memoryMiB);
    expect(fn.Properties.Timeout).toBe(FUNCTION_SIZING[name].timeoutSeconds);
    const logGroup = dev.statelessTemplate.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Properties.RetentionInDays).toBe(dev.config.logRetentionDays);
  });

  it.each(RUNTIME_HANDLERS)("%s gets the settings config.ts requires on AWS", (name) => {
    const env = functionOf(dev.statelessTemplate, name)[1].Properties.Environment.Variables;
    expect(env).toMatchObject({
      HOPTRACE_MODE: "aws",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      DEFAULT_DEADLINE_POLICY: dev.config.defaultDeadlinePolicy,
      LOG_LEVEL: dev.config.logLevel,
    });
    for (const key of ["TABLE_NAME", "DELIVERY_QUEUE_URL", "PUBLIC_URL", "HUB_KEY_SECRET_ARN"]) expect(env[key], key).toBeDefined();
    expect(JSON.parse(env.CONSORTIUM_PUBLIC_JWK)).toEqual(CONSORTIUM_JWK);
  });

  it("derives PUBLIC_URL from the HTTP API's endpoint when no URL is configured: the $default stage has no path", () => {
    const env = functionOf(dev.statelessTemplate, "api")[1].Properties.Environment.Variables;
    const [apiId] = only(resources(dev.statelessTemplate, "AWS::ApiGatewayV2::Api"), "the HTTP API");
    expect(env.PUBLIC_URL).toEqual({ "Fn::GetAtt": [apiId, "ApiEndpoint"] });
  });

  it("gives the console its public URL and log level, and nothing of the table, queues or keys", () => {
    const env = functionOf(dev.statelessTemplate, "console")[1].Properties.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "HOPTRACE_MODE", "LOG_LEVEL", "NODE_OPTIONS", "PUBLIC_URL"]);
  });

  it("uses the configured public URL when there is one", () => {
    const env = functionOf(prod.statelessTemplate, "delivery")[1].Properties.Environment.Variables;
    expect(env.PUBLIC_URL).toBe("https://traceback.example.org");
  });

  it("leaves no dependency cycle in either template (PUBLIC_URL refers to the HTTP API, its integration to the function)", () => {
    expect(findCycle(dev.statelessTemplate)).toBeUndefined();
    expect(findCycle(dev.statefulTemplate)).toBeUndefined();
  });

  it("hard-codes no physical resource name: every name is generated by CloudFormation", () => {
    const nameProps = ["TableName", "QueueName", "FunctionName", "RoleName", "LogGroupName", "TopicName", "Name", "ManagedPolicyName"];
    for (const template of [dev.statefulTemplate, dev.statelessTemplate]) {
      for (const [id, r] of resources(template)) {
        // An API's name need not be unique in an account.
        if (r.Type === "AWS::ApiGatewayV2::Api" || r.Type === "AWS::IAM::Policy" || r.Type === "AWS::Events::Rule") continue;
        // A reference to another resource is fine; a literal would collide between stages.
        for (const prop of nameProps) expect(typeof r.Properties?.[prop], `${id}.${prop}`).not.toBe("string");
      }
    }
  });

  it.each(HANDLER_NAMES)("%s's asset is a minified ESM bundle with the require banner and a source map", (name) => {
    const key = functionOf(dev.statelessTemplate, name)[1].Properties.Code.S3Key as string;
    const dir = join(dev.outdir, `asset.${key.replace(/\.zip$/, "")}`);
    const bundle = readFileSync(join(dir, "index.mjs"), "utf8");
    expect(bundle.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(existsSync(join(dir, "index.mjs.map"))).toBe(true);
    // The pinned SDK is inside the bundle, not left to the runtime's copy.
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
    if (name !== "console") expect(bundle).toMatch(/DynamoDB/);
  });

  it("puts the built web console beside the console function's bundle, where it reads it, and in no other function", async () => {
    const assetDir = (name: (typeof HANDLER_NAMES)[number]) =>
      join(dev.outdir, `asset.${(functionOf(dev.statelessTemplate, name)[1].Properties.Code.S3Key as string).replace(/\.zip$/, "")}`);
    const assets = await loadConsoleAssets(join(assetDir("console"), "dist"));
    expect(assets.page("https://api.example/prod")).toContain('<base href="/prod/console/">');
    const manifest = JSON.parse(readFileSync(join(assetDir("console"), "dist", "manifest.json"), "utf8"));
    expect(assets.asset(manifest.js.file)?.contentType).toMatch(/^text\/javascript/);
    for (const name of HANDLER_NAMES.filter((n) => n !== "console")) expect(existsSync(join(assetDir(name), "dist")), name).toBe(false);
  });
});

function eventSourcesOf(template: Template, handler: HandlerName): Resource[] {
  const [fnId] = functionOf(template, handler);
  return resources(template, "AWS::Lambda::EventSourceMapping")
    .filter(([, m]) => m.Properties.FunctionName.Ref === fnId)
    .map(([, m]) => m);
}

describe("the delivery event sources", () => {
  it("feed the delivery function from each lane, reporting item failures, each with its own concurrency cap", () => {
    const [fnId] = functionOf(dev.statelessTemplate, "delivery");
    const mappings = eventSourcesOf(dev.statelessTemplate, "delivery");
    expect(mappings).toHaveLength(2);
    const lane = (name: RegExp) =>
      only(
        mappings.filter((m) => name.test(JSON.stringify(m.Properties.EventSourceArn))),
        String(name),
      );
    expect(lane(/(?<!Slow)DeliveryQueue/).Properties).toMatchObject({
      FunctionName: { Ref: fnId },
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: dev.config.deliveryMaxConcurrency },
    });
    // Attempts that may each wait out a timeout: few to a batch, on workers of their own.
    expect(lane(/SlowDeliveryQueue/).Properties).toMatchObject({
      FunctionName: { Ref: fnId },
      BatchSize: SLOW_LANE_BATCH_SIZE,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: dev.config.slowLaneMaxConcurrency },
    });
  });
});

describe("the log integrator", () => {
  it("runs one at a time", () => {
    expect(functionOf(dev.statelessTemplate, "integrator")[1].Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it("is triggered by the keys of log entries inserted into the table, and by a schedule for what a failed run left", () => {
    expect(table(dev).Properties.StreamSpecification).toEqual({ StreamViewType: "KEYS_ONLY" });
    const mapping = only(eventSourcesOf(dev.statelessTemplate, "integrator"), "the event source of integrator");
    expect(JSON.stringify(mapping.Properties.EventSourceArn)).toMatch(/StreamArn/);
    expect(mapping.Properties.StartingPosition).toBe("LATEST");
    const [filter] = mapping.Properties.FilterCriteria.Filters;
    expect(JSON.parse(filter.Pattern)).toEqual({ eventName: ["INSERT"], dynamodb: { Keys: { pk: { S: [{ prefix: "LOGENTRY#" }] } } } });
  });

  it("reads the stream and the table but sends nothing to the delivery queue", () => {
    const actions = actionsOfFunction(dev.statelessTemplate, "integrator");
    expect(actions).toEqual(expect.arrayContaining(["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:UpdateItem"]));
    expect(actions.filter((a) => a.startsWith("sqs:"))).toEqual([]);
  });
});

/** ListStreams supports no resource-level permission; the stream's own actions are scoped to its ARN. */
const RESOURCELESS = ["dynamodb:ListStreams"];
const STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", ...RESOURCELESS];

describe("least privilege", () => {
  const templates = () => [dev.statefulTemplate, dev.statelessTemplate];

  it("grants no wildcard action", () => {
    for (const template of templates()) {
      for (const { statement } of allowStatements(template)) {
        for (const action of actionsOf(statement)) expect(action, JSON.stringify(statement)).not.toMatch(/(^\*$)|(:\*$)/);
      }
    }
  });

  it("grants no DynamoDB, SQS or Secrets Manager action on every resource", () => {
    for (const template of templates()) {
      for (const { statement } of allowStatements(template)) {
        const everywhere = [statement.Resource].flat().includes("*");
        if (!everywhere) continue;
        for (const action of actionsOf(statement)) if (!RESOURCELESS.includes(action)) expect(action).not.toMatch(/^(dynamodb|sqs|secretsmanager):/);
      }
    }
  });

  it("grants the table actions the stores send, and no other", () => {
    const dir = fileURLToPath(new URL("../../functions/adapters/dynamo/", import.meta.url));
    const sent = new Set(
      readdirSync(dir).flatMap((file) =>
        [...readFileSync(join(dir, file), "utf8").matchAll(/new (\w+)Command\(/g)].map(
          (m) => `dynamodb:${m[1]}${/^(Batch)?(Get|Put|Update|Delete|Write)$/.test(m[1]!) ? "Item" : ""}`,
        ),
      ),
    );
    expect(sent.size).toBeGreaterThan(0);
    for (const name of HANDLER_NAMES) {
      const table = actionsOfFunction(dev.statelessTemplate, name).filter((a) => a.startsWith("dynamodb:") && !STREAM_ACTIONS.includes(a));
      expect(
        table.filter((a) => !sent.has(a)),
        name,
      ).toEqual([]);
    }
  });

  it("lets no function scan the table", () => {
    for (const name of HANDLER_NAMES) expect(actionsOfFunction(dev.statelessTemplate, name)).not.toContain("dynamodb:Scan");
  });

  it("lets only the API function write the hub key, and every function but the console read it", () => {
    expect(actionsOfFunction(dev.statelessTemplate, "console").filter((a) => !a.startsWith("xray:"))).toEqual([]);
    for (const name of RUNTIME_HANDLERS) {
      const actions = actionsOfFunction(dev.statelessTemplate, name);
      expect(actions).toContain("secretsmanager:GetSecretValue");
      if (name === "api") expect(actions).toContain("secretsmanager:PutSecretValue");
      else expect(actions).not.toContain("secretsmanager:PutSecretValue");
    }
  });

  it("lets the API and the delivery function send e-mail through SES, as the configured sender of its identity only", () => {
    for (const [synth, identity, from] of [
      [dev, "example.org", "hoptrace@example.org"],
      [prod, "example.org", "traceback@mail.example.org"],
    ] as const) {
      for (const name of HANDLER_NAMES) {
        const role = functionOf(synth.statelessTemplate, name)[1].Properties.Role["Fn::GetAtt"][0];
        const ses = allowStatements(synth.statelessTemplate).filter(
          ({ roles, statement }) => roles.includes(role) && actionsOf(statement).some((a) => a.startsWith("ses:")),
        );
        if (!FUNCTION_ACCESS[name].mail) {
          expect(ses, name).toEqual([]);
          continue;
        }
        expect(ses).toHaveLength(1);
        const { statement } = ses[0]!;
        expect(actionsOf(statement)).toEqual(["ses:SendEmail"]);
        expect(JSON.stringify(statement.Resource)).toContain(`:identity/${identity}`);
        expect(JSON.stringify(statement.Resource)).not.toContain("*");
        expect((statement as { Condition?: unknown }).Condition).toEqual({ StringEquals: { "ses:FromAddress": from } });
        expect(functionOf(synth.statelessTemplate, name)[1].Properties.Environment.Variables.MAIL_FROM).toBe(`Hoptrace <${from}>`);
      }
    }
    expect(FUNCTION_ACCESS.api.mail && FUNCTION_ACCESS.delivery.mail).toBe(true);
  });

  it("lets only the delivery function consume the queue, and the functions that publish send to it", () => {
    for (const name of HANDLER_NAMES) {
      const actions = actionsOfFunction(dev.statelessTemplate, name);
      if (FUNCTION_ACCESS[name].queue.send) expect(actions).toContain("sqs:SendMessage");
      else expect(actions).not.toContain("sqs:SendMessage");
      if (name === "delivery") expect(actions).toEqual(expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage"]));
      else expect(actions).not.toContain("sqs:ReceiveMessage");
    }
  });

  it("grants only the actions the code sends and the event sources need: no ConditionCheckItem, GetQueueUrl, ChangeMessageVisibility or DescribeSecret", () => {
    const granted = (name: HandlerName, prefix: string) =>
      [...new Set(actionsOfFunction(dev.statelessTemplate, name).filter((a) => a.startsWith(prefix)))].sort();
    for (const name of HANDLER_NAMES) {
      const { table, queue, hubKey } = FUNCTION_ACCESS[name];
      const dynamo = granted(name, "dynamodb:").filter((a) => !STREAM_ACTIONS.includes(a));
      expect(dynamo, name).toEqual(
        table
          ? [
              "dynamodb:BatchGetItem",
              "dynamodb:BatchWriteItem",
              "dynamodb:DeleteItem",
              "dynamodb:GetItem",
              "dynamodb:PutItem",
              "dynamodb:Query",
              "dynamodb:UpdateItem",
            ]
          : [],
      );
      const sqs = [
        ...(queue.consume ? ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"] : []),
        ...(queue.send ? ["sqs:SendMessage"] : []),
      ].sort();
      expect(granted(name, "sqs:"), name).toEqual(sqs);
      expect(granted(name, "secretsmanager:"), name).toEqual(
        { none: [], read: ["secretsmanager:GetSecretValue"], "read-write": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"] }[hubKey],
      );
    }
  });

  it("scopes table access to the table and its four named indexes, and stream reads to the stream", () => {
    for (const { statement } of allowStatements(dev.statelessTemplate)) {
      const scoped = actionsOf(statement).filter((a) => a.startsWith("dynamodb:") && !RESOURCELESS.includes(a));
      if (scoped.length === 0) continue;
      const text = JSON.stringify(statement.Resource);
      if (scoped.every((a) => STREAM_ACTIONS.includes(a))) {
        expect(text).toMatch(/StreamArn/);
        continue;
      }
      for (const index of Object.values(TABLE.indexes)) expect(text).toContain(`/index/${index.name}"`);
      expect(text).not.toContain("/index/*");
    }
  });
});

describe("schedules", () => {
  it.each(["reconciler", "sweeper", "integrator"] as const)("runs the %s every minute", (name) => {
    const [fnId] = functionOf(dev.statelessTemplate, name);
    dev.statelessTemplate.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: Match.arrayWith([Match.objectLike({ Arn: { "Fn::GetAtt": [fnId, "Arn"] } })]),
    });
    dev.statelessTemplate.hasResourceProperties("AWS::Lambda::Permission", {
      FunctionName: { "Fn::GetAtt": [fnId, "Arn"] },
      Principal: "events.amazonaws.com",
    });
  });
});

describe("the HTTP API", () => {
  /** Each route key of the HTTP API, with the function its integration invokes. */
  const routeTargets = () => {
    const [apiId, api] = only(resources(dev.statelessTemplate, "AWS::ApiGatewayV2::Api"), "the HTTP API");
    expect(api.Properties.ProtocolType).toBe("HTTP");
    const integrations = Object.fromEntries(resources(dev.statelessTemplate, "AWS::ApiGatewayV2::Integration").map(([id, i]) => [id, i]));
    const fnIds = Object.fromEntries(HANDLER_NAMES.map((name) => [functionOf(dev.statelessTemplate, name)[0], name]));
    return Object.fromEntries(
      resources(dev.statelessTemplate, "AWS::ApiGatewayV2::Route").map(([, route]) => {
        expect(route.Properties.ApiId).toEqual({ Ref: apiId });
        const integration = integrations[route.Properties.Target["Fn::Join"][1][1].Ref]!;
        expect(integration.Properties).toMatchObject({ ApiId: { Ref: apiId }, IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0" });
        return [route.Properties.RouteKey, fnIds[integration.Properties.IntegrationUri["Fn::GetAtt"][0]]];
      }),
    );
  };

  it("sends the console's paths to the console function and everything else, through $default, to the API function, with payload format 2.0", () => {
    expect(routeTargets()).toEqual({
      $default: "api",
      "GET /console": "console",
      "HEAD /console": "console",
      "GET /console/{proxy+}": "console",
      "HEAD /console/{proxy+}": "console",
    });
    expect(resources(dev.statelessTemplate, "AWS::ApiGateway::RestApi")).toEqual([]);
  });

  it("lets API Gateway invoke the API and console functions, from this API only", () => {
    const [apiId] = only(resources(dev.statelessTemplate, "AWS::ApiGatewayV2::Api"), "the HTTP API");
    const permissions = resources(dev.statelessTemplate, "AWS::Lambda::Permission").filter(([, p]) => p.Properties.Principal === "apigateway.amazonaws.com");
    const fnIds = Object.fromEntries(HANDLER_NAMES.map((name) => [functionOf(dev.statelessTemplate, name)[0], name]));
    expect([...new Set(permissions.map(([, p]) => fnIds[p.Properties.FunctionName["Fn::GetAtt"][0]]))].sort()).toEqual(["api", "console"]);
    for (const [, p] of permissions) expect(JSON.stringify(p.Properties.SourceArn)).toContain(apiId);
  });

  it("throttles the $default stage, deploys it on every change and writes JSON access logs to a log group with retention", () => {
    const [, stage] = only(resources(prod.statelessTemplate, "AWS::ApiGatewayV2::Stage"), "the API stage");
    expect(stage.Properties).toMatchObject({
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: prod.config.throttling.rateLimit,
        ThrottlingBurstLimit: prod.config.throttling.burstLimit,
        DetailedMetricsEnabled: true,
      },
    });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format as string);
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      integrationError: "$context.integrationErrorMessage",
    });
    // The route key only: paths and query strings carry call records.
    expect(Object.values(format)).not.toContain("$context.path");
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn["Fn::GetAtt"][0];
    expect(prod.statelessTemplate.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(prod.config.logRetentionDays);
  });

  it("outputs the API and JWKS URLs", () => {
    const outputs = prod.statelessTemplate.toJSON().Outputs;
    const values = Object.values(outputs).map((o: any) => o.Value);
    expect(values).toContain("https://traceback.example.org");
    expect(values).toContain("https://traceback.example.org/.well-known/jwks.json");
  });
});

describe("alarms", () => {
  const alarms = () => resources(dev.statelessTemplate, "AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);

  it("fire on any message in the dead-letter queue", () => {
    const alarm = only(
      alarms().filter((a) => a.MetricName === "ApproximateNumberOfMessagesVisible"),
      "the DLQ alarm",
    );
    expect(JSON.stringify(alarm.Dimensions)).toMatch(/DeliveryDeadLetterQueue/);
    expect(alarm.Threshold).toBe(dev.config.alarms.dlqDepth);
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  it("fire when the oldest delivery of either lane waits too long", () => {
    const ages = alarms().filter((a) => a.MetricName === "ApproximateAgeOfOldestMessage");
    expect(ages).toHaveLength(2);
    expect(ages.map((a) => JSON.stringify(a.Dimensions).match(/(Slow)?DeliveryQueue/)?.[0]).sort()).toEqual(["DeliveryQueue", "SlowDeliveryQueue"]);
    for (const alarm of ages) expect(alarm.Threshold).toBe(dev.config.alarms.oldestMessageAgeSeconds);
  });

  it.each(HANDLER_NAMES)("fire on errors of the %s function", (name) => {
    const [fnId] = functionOf(dev.statelessTemplate, name);
    const alarm = only(
      alarms().filter((a) => a.MetricName === "Errors" && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: "FunctionName", Value: { Ref: fnId } }])),
      `the ${name} errors alarm`,
    );
    expect(alarm.Threshold).toBe(dev.config.alarms.functionErrors);
    expect(alarm.AlarmActions).toHaveLength(1);
  });
});
