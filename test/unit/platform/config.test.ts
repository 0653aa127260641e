import { describe, expect, it } from "vitest";
import { behaviourSettings, loadConfig } from "../../../functions/platform/config.js";

describe("the settings the embedded server takes from its environment", () => {
  it("are the behaviour settings only: never the resources, endpoints or mode it sets itself", () => {
    const env = {
      DELIVERY_LEASE_SECONDS: "2",
      DEFAULT_DEADLINE_POLICY: "fixed",
      TABLE_NAME: "someone-elses-table",
      PUBLIC_URL: "https://elsewhere.example",
      SQS_ENDPOINT: "http://127.0.0.1:1",
      HOPTRACE_MODE: "aws",
      PATH: "/usr/bin",
    };
    expect(behaviourSettings(env)).toEqual({ DELIVERY_LEASE_SECONDS: "2", DEFAULT_DEADLINE_POLICY: "fixed" });
  });

  it("are parsed like any other setting", () => {
    const config = loadConfig({
      HOPTRACE_MODE: "local",
      TABLE_NAME: "t",
      DELIVERY_QUEUE_URL: "http://127.0.0.1:9/q",
      PUBLIC_URL: "http://127.0.0.1:8787",
      HUB_KEY_FILE: "/tmp/k.json",
      WEBHOOK_SECRETS_KEY_FILE: "/tmp/d.json",
      ...behaviourSettings({ DELIVERY_LEASE_SECONDS: "2", OUTBOX_GRACE_SECONDS: "1" }),
    });
    expect([config.DELIVERY_LEASE_SECONDS, config.OUTBOX_GRACE_SECONDS]).toEqual([2, 1]);
  });

  it("refuses SMTP on AWS, where e-mail goes through SES and the bundles carry no SMTP client", () => {
    const aws = { HOPTRACE_MODE: "aws", TABLE_NAME: "t", DELIVERY_QUEUE_URL: "https://sqs.example/q", PUBLIC_URL: "https://hub.example", HUB_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:k", MAIL_FROM: "hub@hub.example", AWS_REGION: "us-east-1" };
    expect(loadConfig(aws).SMTP_URL).toBeUndefined();
    expect(() => loadConfig({ ...aws, SMTP_URL: "smtp://mail.example:587" })).toThrow(/SMTP_URL/);
  });
});
