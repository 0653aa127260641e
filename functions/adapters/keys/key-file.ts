/**
 * Key files (the hub's signing key, the consortium's first key, the data key of the secrets at
 * rest), written so that no reader ever sees half of one: the content goes to a temporary file,
 * owner-only, in the same folder, is flushed to disk, and is then linked into place. Unlike a
 * rename, the link fails rather than replace a key file that exists (one written by a second
 * process starting at the same moment, or by the operator), and a key is never overwritten.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export class KeyFileError extends Error {
  readonly code = "invalid_key_file";
  constructor(message: string) {
    super(message);
    this.name = "KeyFileError";
  }
}

/** Writes a new key file; fails with EEXIST, changing nothing, if one is there already. */
export async function writeNewKeyFile(path: string, contents: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const file = await open(temp, "wx", 0o600);
  try {
    await file.writeFile(contents, "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncFolder(dir);
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
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
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

/** Makes the new name itself durable; folders cannot be opened for this on every platform. */
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (err) {
    if (!["EISDIR", "EPERM", "EINVAL", "EACCES"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
  } finally {
    await handle?.close();
  }
}
