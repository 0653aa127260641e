/** Vitest global setup: the console is built from the source before any test serves it. */
import { buildConsole, describeManifest } from "../../functions/console/build.js";

export default async function setup(): Promise<void> {
  const manifest = await buildConsole();
  if (process.env.HOPTRACE_CONSOLE_SIZES) console.log(describeManifest(manifest));
}
