/**
 * Lambda entry point of the API: build the app once per cold start, then hand each event to it.
 * The events are the HTTP API's, payload format 2.0, from its `$default` stage: `rawPath` and
 * `rawQueryString` are the path and query as the caller sent them, with no stage name in front,
 * so the signature check rebuilds the `@target-uri` that was signed. Repeated header lines
 * arrive joined by commas and cookies apart; neither is covered by a signature.
 */
import { handle } from "hono/aws-lambda";
import { sesMailer } from "../adapters/mail/ses-mailer.js";
import { readRmdExport } from "../adapters/rmd/csv-export.js";
import { createApp } from "../http/app.js";
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";
import { ensureConsortium } from "../usecases/bootstrap.js";

const runtime = await buildRuntime(loadConfig(process.env), { createHubKey: true, sesMailer, readRmdExport });
// One GetItem per cold start once the consortium exists; creates it on the very first.
if (runtime.config.CONSORTIUM_PUBLIC_JWK) await ensureConsortium(runtime.deps, JSON.parse(runtime.config.CONSORTIUM_PUBLIC_JWK));

export const handler = handle(createApp(runtime.deps, { console: false }));
