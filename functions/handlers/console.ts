/**
 * Lambda entry point of the web console, for the HTTP API's /console routes: the console's routes
 * only (http/console-app.ts), the built console in dist/ beside the bundle. It needs nothing but
 * the API's public URL, which the page is rendered for: no table, key or queue, and its role is
 * granted none.
 */
import { handle } from "hono/aws-lambda";
import { ulidGenerator } from "../adapters/ids.js";
import { createConsoleApp } from "../http/console-app.js";
import { createLogger } from "../platform/logger.js";

const publicUrl = process.env.PUBLIC_URL ?? "";
if (!URL.canParse(publicUrl) || !/^https?:$/.test(new URL(publicUrl).protocol))
  throw new Error(`PUBLIC_URL must be the API's public http(s) URL, not "${publicUrl}"`);
const log = createLogger(process.env.LOG_LEVEL ?? "INFO");

export const handler = handle(
  createConsoleApp({ publicUrl: publicUrl.replace(/\/$/, ""), ids: ulidGenerator(), logError: (msg, fields) => log.error(msg, fields) }),
);
