import { describe, expect, it } from "vitest";
import { behaviourSettings, loadConfig, settingProblems } from "../../functions/platform/config.js";
import { textLogger } from "../../functions/platform/logger.js";

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
    const aws = {
      HOPTRACE_MODE: "aws",
      TABLE_NAME: "t",
      DELIVERY_QUEUE_URL: "https://sqs.example/q",
      PUBLIC_URL: "https://hub.example",
      HUB_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:k",
      MAIL_FROM: "hub@hub.example",
      AWS_REGION: "us-east-1",
    };
    expect(loadConfig(aws).SMTP_URL).toBeUndefined();
    expect(() => loadConfig({ ...aws, SMTP_URL: "smtp://mail.example:587" })).toThrow(/SMTP_URL/);
  });
});

describe("a setting that cannot be used", () => {
  it("is named with its value and what it takes, one line per setting", () => {
    expect(
      settingProblems({
        DEFAULT_DEADLINE_POLICY: "bogus",
        MAX_BODY_BYTES: "999999",
        FIXED_DEADLINE_SECONDS: "0",
        REMINDER_SECONDS_BEFORE_DUE: "60,x,y",
        LOG_FORMAT: "xml",
        PATH: "/usr/bin",
      }),
    ).toEqual([
      'DEFAULT_DEADLINE_POLICY="bogus" is not allowed: use us-24h, ca-2bd, fixed',
      'FIXED_DEADLINE_SECONDS="0" is not allowed: use a whole number of at least 1',
      'REMINDER_SECONDS_BEFORE_DUE="60,x,y" is not allowed: use whole numbers of seconds separated by commas',
      'MAX_BODY_BYTES="999999" is not allowed: use a whole number up to 131072',
      'LOG_FORMAT="xml" is not allowed: use json, text',
    ]);
    expect(settingProblems({ DEFAULT_DEADLINE_POLICY: "fixed", LOG_FORMAT: "text" })).toEqual([]);
  });

  it("reads the mail settings as a mail server's URL and a sender's address", () => {
    expect(settingProblems({ SMTP_URL: "mail.example:25", MAIL_FROM: "hoptrace", PUBLIC_RATE_LIMIT_BURST: "0" })).toEqual([
      'SMTP_URL="mail.example:25" is not allowed: use an smtp: or smtps: URL, such as smtp://user:pass@host:587',
      'MAIL_FROM="hoptrace" is not allowed: use an e-mail address, with a name if wanted: Hoptrace <hub@example.org>',
      'PUBLIC_RATE_LIMIT_BURST="0" is not allowed: use a whole number of at least 1',
    ]);
    expect(settingProblems({ SMTP_URL: "https://mail.example", MAIL_DIR: "mail" })).toEqual([
      'SMTP_URL="https://mail.example" is not allowed: use an smtp: or smtps: URL, such as smtp://user:pass@host:587',
    ]);
    expect(settingProblems({ SMTP_URL: "smtps://user:pass@mail.example:465", MAIL_FROM: "Hoptrace <hub@hoptrace.example>", MAIL_DIR: "mail" })).toEqual([]);
  });

  it("stops the Lambda configuration too, naming what is missing", () => {
    expect(() => loadConfig({ HOPTRACE_MODE: "aws", TABLE_NAME: "t", DELIVERY_QUEUE_URL: "https://sqs.example/q", PUBLIC_URL: "https://api.example" })).toThrow(
      "HUB_KEY_SECRET_ARN is not set: required on AWS\nMAIL_FROM is not set: required on AWS",
    );
  });
});

describe("text log lines", () => {
  it("read as time, level, message and fields, and keep to the level", () => {
    const written: string[] = [];
    const log = textLogger(
      "WARN",
      (line) => written.push(line),
      () => new Date(2026, 0, 2, 9, 5, 7),
    );
    log.info("not shown");
    log.warn("request signature refused", { requestId: "req_1", reason: "bad signature", attempt: 2 });
    log.error("failed", { error: new Error("boom") });
    expect(written).toEqual([
      '09:05:07 WARN  request signature refused requestId=req_1 reason="bad signature" attempt=2',
      '09:05:07 ERROR failed error="boom"',
    ]);
  });
});
