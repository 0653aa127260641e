/** Vitest global setup: @hoptrace/client is built before any test loads its ESM or CommonJS entry. */
import { buildClient } from "../../openapi/client/build.js";

export default async function setup(): Promise<void> {
  await buildClient();
}
