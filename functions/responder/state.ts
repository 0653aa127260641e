/**
 * What the responder keeps between runs: the webhook endpoint it registered and that endpoint's
 * secret, in a file only its owner reads (mode 0600), written whole or not at all. Losing the file
 * costs nothing lasting: the next start finds the endpoint by its URL and rotates its secret.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writePrivateFile } from "../platform/private-file.js";

const StateSchema = z.object({
  version: z.literal(1),
  endpoint: z.object({ id: z.string().min(1), url: z.string().min(1), secret: z.string().startsWith("whsec_") }).optional(),
});
export type ResponderState = z.infer<typeof StateSchema>;

export type StateRead = { state: ResponderState } | { state: undefined; problem?: string };

/** The state, none when the file does not exist, or none with the problem when it cannot be used. */
export async function readState(path: string): Promise<StateRead> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state: undefined };
    return { state: undefined, problem: `cannot read ${path}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: undefined, problem: `${path} is not JSON` };
  }
  const parsed = StateSchema.safeParse(json);
  return parsed.success ? { state: parsed.data } : { state: undefined, problem: `${path} is not a responder state file` };
}

export async function writeState(path: string, state: ResponderState): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(state, null, 2)}\n`, { replace: true });
}
