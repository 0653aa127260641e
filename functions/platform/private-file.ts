/**
 * Files only their owner may read (private keys, webhook secrets). They are written whole or not
 * at all: the bytes go to a temporary file beside the target, created with mode 0600 (so they are
 * never readable by others, not even for a moment), flushed, and only then put in place. A crash
 * leaves the old file or the new one, never half of one.
 */
import { randomBytes } from "node:crypto";
import { link, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export class FileExistsError extends Error {
  readonly code = "file_exists";
  constructor(readonly path: string) {
    super(`${path} already exists; it is left as it is`);
  }
}

/**
 * Writes `data` to `path`, mode 0600. With `replace: false` an existing file is never touched
 * (FileExistsError): the file is put in place by a hard link, which the kernel refuses when the
 * name is taken, so two writers racing for one name cannot both win.
 */
export async function writePrivateFile(path: string, data: string, opts: { replace: boolean }): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temporary, "wx", 0o600);
  try {
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.replace) await rename(temporary, path);
    else {
      await link(temporary, path).catch((err: NodeJS.ErrnoException) => {
        throw err.code === "EEXIST" ? new FileExistsError(path) : err;
      });
    }
  } finally {
    await rm(temporary, { force: true });
  }
  await syncFolder(dirname(path));
}

/** What stopped a write, in terms of the path asked for rather than the temporary file. */
export function whyNotWritten(err: unknown, path: string): string {
  if (err instanceof FileExistsError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  const folder = dirname(path);
  if (code === "ENOENT" || code === "ENOTDIR") return `there is no folder ${folder}`;
  if (code === "EACCES" || code === "EPERM") return `no permission to write in ${folder}`;
  if (code === "EROFS") return `${folder} is on a read-only file system`;
  if (code === "ENOSPC") return `no space left for ${path}`;
  return (err as Error).message;
}

/** The new name itself survives a power cut only once its folder is flushed too. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r").catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}
