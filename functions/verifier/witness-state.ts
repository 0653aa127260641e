/**
 * What a witness keeps on disk: the hub it watches, the JWKS it pinned on first use, and the
 * last checkpoint it accepted. Written atomically (a temporary file renamed over the old one),
 * owner-only, so a crash never leaves half a state and a later run never forgets what it saw.
 */
import { chmod, open, readFile, rename } from "node:fs/promises";
import { z } from "zod";
import type { WitnessedCheckpoint } from "./witness.js";

const StateSchema = z
  .object({
    version: z.literal(1),
    hub: z.string().url(),
    jwks: z.object({ keys: z.array(z.object({}).passthrough()).min(1) }),
    last: z
      .object({ origin: z.string(), size: z.number().int().min(0), rootHash: z.string(), timestamp: z.number().int().min(0), checkpoint: z.string() })
      .optional(),
    updatedAt: z.string(),
  })
  .strict();

export type WitnessState = z.infer<typeof StateSchema> & { last?: WitnessedCheckpoint };

export class WitnessStateError extends Error {
  readonly code = "witness_state";
}

export async function loadState(path: string): Promise<WitnessState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let parsed;
  try {
    parsed = StateSchema.safeParse(JSON.parse(text));
  } catch {
    throw new WitnessStateError(`${path} is not JSON`);
  }
  if (!parsed.success) throw new WitnessStateError(`${path} is not a witness state file`);
  return parsed.data;
}

export async function saveState(path: string, state: WitnessState): Promise<void> {
  await writeAtomically(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** Keeps the evidence of an alarm next to the state, one file per alarm. */
export async function saveAlarm(statePath: string, at: Date, alarm: Record<string, unknown>): Promise<string> {
  const path = `${statePath}.alarm-${at.toISOString().replace(/[:.]/g, "-")}.json`;
  await writeAtomically(path, `${JSON.stringify(alarm, null, 2)}\n`);
  return path;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, "w", 0o600);
  try {
    await file.writeFile(text, "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
