/** `npm run demo`: the live demo; exits 0 when every traceback reached its expected outcome. */
import { runDemo } from "./demo.js";

const { ok } = await runDemo();
process.exitCode = ok ? 0 : 1;
