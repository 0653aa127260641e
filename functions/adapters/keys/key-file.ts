/**
 * Key files (the hub's signing key, the consortium's first key, the data key of the secrets at
 * rest), written as private files (platform/private-file.ts): no reader ever sees half of one,
 * and one that exists (written by a second process starting at the same moment, or by the
 * operator) is never replaced.
 */
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { FileExistsError, writePrivateFile } from "../../platform/private-file.js";

export class KeyFileError extends Error {
  readonly code = "invalid_key_file";
  constructor(message: string) {
    super(message);
    this.name = "KeyFileError";
  }
}

/** Writes a new key file; fails with FileExistsError, changing nothing, if one is there already. */
export async function writeNewKeyFile(path: string, contents: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writePrivateFile(path, contents, { replace: false });
}

/**
 * The key file's content, created by `create` on first use. Of two processes creating it at
 * once, one writes it and both read that one.
 */
export async function readOrCreateKeyFile(path: string, create: () => Promise<string> | string): Promise<string> {
  const existing = await readIfPresent(path);
  if (existing !== undefined) return existing;
  try {
    await writeNewKeyFile(path, await create());
  } catch (err) {
    if (!(err instanceof FileExistsError)) throw err;
  }
  return readFile(path, "utf8");
}

export function parseJsonKeyFile(path: string, text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new KeyFileError(`${path} is not a JSON key file (cut short or edited?); restore it from a backup, or move it away to start with a new key`);
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
