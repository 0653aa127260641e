/**
 * zod as the contract's schema files see it in the console's bundle (see ../build.ts). There
 * `.openapi()` only documents the contract, so it returns the schema unchanged.
 */
import { config, ZodType } from "zod";

// zod compiles object parsers with `new Function` where it may; the console's CSP allows no
// eval, and the probe alone is reported as a violation.
config({ jitless: true });

(ZodType.prototype as unknown as { openapi: () => unknown }).openapi = function openapi(this: unknown) {
  return this;
};

export * from "zod";
