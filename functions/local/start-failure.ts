/**
 * What keeps `npm start` from starting, said in one line with what to do about it. The causes an
 * operator can fix (the port, the data folder) are recognised from the errors Node and LevelDB
 * raise for them; anything else is left to surface as it is.
 */
import { DataFolderLockedError } from "./data-lock.js";
import { ConfigError } from "../platform/config.js";

/** A failure already worded for the operator. */
export class StartError extends Error {}

const UNWRITABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "ENOSPC"]);

export function startFailure(err: unknown, at: { dataDir: string; port: number }): string | undefined {
  if (err instanceof StartError || err instanceof DataFolderLockedError || err instanceof ConfigError) return err.message;
  const e = err as NodeJS.ErrnoException & { syscall?: string; path?: string; cause?: unknown };
  if (e?.syscall === "listen" && e.code === "EADDRINUSE")
    return `port ${at.port} is in use by another process: stop it, or set PORT to another port (PORT=0 picks a free one)`;
  if (e?.syscall === "listen") return `cannot listen on 127.0.0.1:${at.port} (${e.code}): set PORT to another port`;
  if (e?.code && UNWRITABLE.has(e.code) && (e.path === undefined || e.path.startsWith(at.dataDir) || at.dataDir.startsWith(e.path))) {
    return `cannot write to the data folder ${at.dataDir} (${e.code}${e.path && e.path !== at.dataDir ? ` on ${e.path}` : ""}): make it writable by this user, or set HOPTRACE_DATA_DIR to another folder`;
  }
  // LevelDB holds its own lock on the table's files: a second process that got past the hub's
  // lock file (another tool opening the folder) sees the database refuse to open.
  if (/\bLOCK\b|Database is (?:not open|closed)|\block(?:ed)?\b/i.test(messageChain(e))) return new DataFolderLockedError(at.dataDir, undefined).message;
  return undefined;
}

function messageChain(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.message === "string") parts.push(e.message);
  }
  return parts.join(" / ");
}
