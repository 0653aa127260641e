/**
 * `node --import tsx --import ./test/support/module-log.mjs entry.ts`, with HOPTRACE_MODULE_LOG
 * naming a file: every module the process loads is appended to that file, its URL on a line. For
 * tests of what a command loads before it answers (a tool's --help loads no SDK, no app).
 */
import { register } from "node:module";

register(new URL("./module-log-hooks.mjs", import.meta.url), { data: process.env.HOPTRACE_MODULE_LOG });
