/** Turns a failed zod validation into a problem with one JSON Pointer per issue. */
import type { Context } from "hono";
import type { ZodError } from "zod";
import type { AppEnv } from "./env.js";
import { problemResponse, type FieldError } from "./problem.js";

export function pointersOf(error: ZodError): FieldError[] {
  return error.issues.slice(0, 50).map((issue) => {
    const path = [...issue.path];
    if (issue.code === "unrecognized_keys") {
      return { pointer: toPointer([...path, issue.keys[0] ?? ""]), detail: `unknown field(s): ${issue.keys.join(", ")}` };
    }
    return { pointer: toPointer(path), detail: issue.message };
  });
}

function toPointer(path: PropertyKey[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

export function validationHook(result: { success: boolean; error?: ZodError; target?: string }, c: Context<AppEnv>): Response | undefined {
  if (result.success || !result.error) return undefined;
  const errors = pointersOf(result.error);
  if (result.target === "json") return problemResponse(c, 422, "validation_failed", "the request body does not match the schema", errors);
  return problemResponse(c, 400, "invalid_parameter", `invalid ${result.target ?? "request"} parameter`, errors);
}
