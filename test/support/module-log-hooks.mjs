/** The module hooks of module-log.mjs: each resolved URL is written down as it is resolved. */
import { appendFileSync } from "node:fs";

let file;

export function initialize(data) {
  file = data;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (file) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
