/**
 * `npm start`. The Node version is checked before the hub's modules are loaded, so an old Node
 * gets one line saying so rather than a failure inside a dependency.
 */
import { nodeVersionProblem } from "./node-version.js";

const problem = nodeVersionProblem(process.version);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
await import("./start.js");
