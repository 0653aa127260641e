/** Lambda entry point of the API: build the app once per cold start, then hand each event to it. */
import { handle } from "hono/aws-lambda";
import { createApp } from "../http/app.js";
import { loadConfig } from "../platform/config.js";
import { buildRuntime } from "../platform/container.js";

const runtime = await buildRuntime(loadConfig(process.env));
export const handler = handle(createApp(runtime.deps));
