import { describe, expect, it } from "vitest";
import { parseStageConfig, resolveStageConfig, STAGE_DEFAULTS, StageConfigError } from "../../infra/stage-config.js";
import { averageApiRequestsPerSecond, DESIGN_LOAD } from "../../infra/capacity.js";

const PUBLIC_JWK = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe("stage configuration", () => {
  it("selects the stage's defaults by name", () => {
    expect(resolveStageConfig(context({ stage: "prod", mailFrom: "traceback@example.org" }))).toMatchObject({
      stage: "prod",
      deletionProtection: true,
      logLevel: "INFO",
    });
    expect(resolveStageConfig(context({ stage: "dev" }))).toMatchObject({ stage: "dev", deletionProtection: false });
  });

  it("starts a stage of another name, and a missing name, from the dev defaults", () => {
    const { stage, ...rest } = resolveStageConfig(context({ stage: "alice" }));
    expect(stage).toBe("alice");
    expect(rest).toEqual(expect.objectContaining({ deletionProtection: false, logRetentionDays: STAGE_DEFAULTS.dev!.logRetentionDays }));
    expect(resolveStageConfig(context({})).stage).toBe("dev");
  });

  it("takes the public URL, consortium key and alarm e-mail from context", () => {
    const config = resolveStageConfig(
      context({
        stage: "prod",
        publicUrl: "https://traceback.example.org/",
        consortiumPublicJwk: JSON.stringify(PUBLIC_JWK),
        alarmEmail: "ops@example.org",
        mailFrom: "traceback@example.org",
      }),
    );
    expect(config.publicUrl).toBe("https://traceback.example.org");
    expect(config.consortiumPublicJwk).toEqual(PUBLIC_JWK);
    expect(config.alarmEmail).toBe("ops@example.org");
  });

  it("takes the e-mail sender and its SES identity from context; prod has no sender of its own", () => {
    expect(() => resolveStageConfig(context({ stage: "prod" }))).toThrow(/mailFrom/);
    expect(resolveStageConfig(context({ stage: "prod", mailFrom: "traceback@example.org", mailIdentity: "example.org" }))).toMatchObject({
      mailFrom: "traceback@example.org",
      mailIdentity: "example.org",
    });
    expect(() => resolveStageConfig(context({ mailFrom: "not an address" }))).toThrow(/mailFrom/);
    expect(() => resolveStageConfig(context({ mailIdentity: "no spaces allowed.example org" }))).toThrow(/mailIdentity/);
  });

  it("takes the index a deploy rebuilds from context, only an index of keys.ts, and none by default", () => {
    expect(resolveStageConfig(context({ stage: "prod", mailFrom: "traceback@example.org" })).withoutIndex).toBeUndefined();
    expect(resolveStageConfig(context({ withoutIndex: "gsi3" })).withoutIndex).toBe("gsi3");
    expect(() => resolveStageConfig(context({ withoutIndex: "gsi9" }))).toThrow(/withoutIndex/);
  });

  it("refuses a private consortium key, so it never reaches a template", () => {
    const jwk = JSON.stringify({ ...PUBLIC_JWK, d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" });
    expect(() => resolveStageConfig(context({ consortiumPublicJwk: jwk }))).toThrow(/public key/);
  });

  it("refuses a consortium key that is not an Ed25519 JWK", () => {
    expect(() => resolveStageConfig(context({ consortiumPublicJwk: "{not json" }))).toThrow(StageConfigError);
    expect(() => resolveStageConfig(context({ consortiumPublicJwk: JSON.stringify({ kty: "RSA", n: "x", e: "AQAB" }) }))).toThrow(/Ed25519/);
  });

  it("refuses a plain-HTTP public URL, a bad stage name and a retention CloudWatch does not offer", () => {
    expect(() => resolveStageConfig(context({ publicUrl: "http://traceback.example.org" }))).toThrow(/https/);
    expect(() => resolveStageConfig(context({ stage: "Prod_1" }))).toThrow(/stage/);
    expect(() => parseStageConfig({ ...STAGE_DEFAULTS.dev, stage: "dev", logRetentionDays: 2 })).toThrow(/logRetentionDays/);
  });
});

describe("the prod stage's capacity", () => {
  const prod = resolveStageConfig(context({ stage: "prod", mailFrom: "traceback@example.org" }));

  it("lets through five times the average API rate of a million tracebacks a day", () => {
    expect(averageApiRequestsPerSecond()).toBeCloseTo(127.3, 1);
    expect(prod.throttling.rateLimit).toBeGreaterThanOrEqual(DESIGN_LOAD.peakFactor * averageApiRequestsPerSecond());
    expect(prod.throttling.burstLimit).toBeGreaterThanOrEqual(prod.throttling.rateLimit);
  });

  it("gives the slow delivery lane workers of its own", () => {
    expect(prod.slowLaneMaxConcurrency).toBeGreaterThanOrEqual(2);
    expect(prod.deliveryMaxConcurrency).toBeGreaterThan(prod.slowLaneMaxConcurrency);
  });
});
