/**
 * Vitest global setup of the full project: the console, the hub's bundle `npm start` runs and
 * @hoptrace/client are built from the source before any test serves, starts or loads them. The
 * builds share nothing, so they run at once (the client's declarations come from a tsc process of
 * their own).
 */
import { buildConsole, describeManifest } from "../../functions/console/build.js";
import { buildHub } from "../../functions/local/build.js";
import { buildClient } from "../../openapi/client/build.js";

export default async function setup(): Promise<void> {
  const [manifest] = await Promise.all([buildConsole(), buildClient(), buildHub()]);
  if (process.env.HOPTRACE_CONSOLE_SIZES) console.log(describeManifest(manifest));
}
