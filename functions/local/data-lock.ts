/**
 * One hub per data folder. Two hubs on one folder would both write its table, and the second one
 * only learns it from the database failing under it; the lock file says at once which process
 * holds the folder. It holds the holder's pid; a lock left by a process that is gone (killed, the
 * machine restarted) is taken over. Taking over goes through a second file made exclusively, so
 * two hubs finding the same stale lock cannot both take it.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { FileExistsError, writePrivateFile } from "../platform/private-file.js";

export const LOCK_FILE = "hub.lock";

export class DataFolderLockedError extends Error {
  readonly code = "data_folder_locked";
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `the data folder ${dir} is in use by another hub (${pid === undefined ? "" : `pid ${pid}, `}see ${join(dir, LOCK_FILE)}): stop it, or set HOPTRACE_DATA_DIR to another folder`,
    );
  }
}

export interface DataFolderLock {
  release(): Promise<void>;
}

export async function lockDataFolder(dir: string, pid = process.pid): Promise<DataFolderLock> {
  const path = join(dir, LOCK_FILE);
  const contents = `${JSON.stringify({ pid, startedAt: new Date().toISOString() })}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writePrivateFile(path, contents, { replace: false });
      return { release: () => releaseIfOurs(path, contents) };
    } catch (err) {
      if (!(err instanceof FileExistsError)) throw err;
    }
    const holder = await holderOf(path);
    if (holder !== undefined && isRunning(holder)) throw new DataFolderLockedError(dir, holder);
    if (attempt > 2) throw new DataFolderLockedError(dir, holder);
    await takeOver(path, holder, pid);
  }
}

/** Removes a stale lock, unless another hub is taking it over at the same moment. */
async function takeOver(path: string, stale: number | undefined, pid: number): Promise<void> {
  const guard = `${path}.takeover`;
  try {
    await writePrivateFile(guard, String(pid), { replace: false });
  } catch (err) {
    if (!(err instanceof FileExistsError)) throw err;
    const taker = Number(await readFile(guard, "utf8").catch(() => ""));
    if (Number.isSafeInteger(taker) && taker > 0 && isRunning(taker)) return;
    // A taker that died midway left its guard: clear it and let the caller try once more.
    await rm(guard, { force: true });
    return;
  }
  try {
    if ((await holderOf(path)) === stale) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

async function holderOf(path: string): Promise<number | undefined> {
  try {
    const { pid } = JSON.parse(await readFile(path, "utf8")) as { pid?: unknown };
    return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    // Unreadable or half-written by a tool other than the hub: nobody provably holds it.
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function releaseIfOurs(path: string, contents: string): Promise<void> {
  const now = await readFile(path, "utf8").catch(() => undefined);
  if (now === contents) await rm(path, { force: true });
}
