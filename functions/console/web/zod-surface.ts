/**
 * zod as the contract's schema files see it in the console's bundle (see ../build.ts). There
 * `.openapi()` only documents the contract, so it returns the schema unchanged.
 */
import { ZodType } from "zod";

(ZodType.prototype as unknown as { openapi: () => unknown }).openapi = function openapi(this: unknown) {
  return this;
};

export * from "zod";
