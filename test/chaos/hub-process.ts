/**
 * `npm start` as a child process leading its own process group, on a data folder that outlives
 * it: started, killed with SIGKILL (the whole group, as `kill -9 -<pgid>` does) and started again.
 * It runs the bundle `npm start` runs (functions/local/build.ts), with the same node flags.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HUB_NODE_FLAGS } from "../../functions/local/build.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A port nobody listens on now: the hub keeps it across restarts, since signatures cover its URL. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export class HubProcess {
  private child?: ChildProcess;
  private exit?: Promise<void>;
  private alive = false;
  starts = 0;

  constructor(
    private readonly entry: string,
    private readonly opts: { dataDir: string; port: number; env: Record<string, string>; logFile: string },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  /** A process was started and has not ended (by a kill or by itself). */
  get running(): boolean {
    return this.alive;
  }

  /** Starts the hub; resolves when that process ends, however it ends. */
  start(): Promise<void> {
    if (this.child) throw new Error("the hub is already running");
    const log = openSync(this.opts.logFile, "a");
    const child = spawn(process.execPath, [...HUB_NODE_FLAGS, this.entry], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, ...this.opts.env, HOPTRACE_DATA_DIR: this.opts.dataDir, PORT: String(this.opts.port) },
    });
    closeSync(log);
    this.starts++;
    this.child = child;
    this.alive = true;
    // A group of its own outlives this process unless killed with it (a test timing out, ^C).
    const orphaned = () => signalGroup(child, "SIGKILL");
    process.once("exit", orphaned);
    this.exit = new Promise((r) =>
      child.once("exit", () => {
        this.alive = false;
        process.off("exit", orphaned);
        r();
      }),
    );
    return this.exit;
  }

  /** SIGKILL to the whole group, sent at once; resolves when the process is gone. */
  async kill(): Promise<void> {
    const { child, exit } = this;
    if (!child) return;
    signalGroup(child, "SIGKILL");
    await exit;
    if (this.child === child) this.child = undefined;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}
