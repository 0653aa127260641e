/**
 * `npm start` in a child process (the bundle it builds, run by node as it runs it), for tests and
 * benchmarks that need the hub as a user runs it: its own process, its data folder, its port.
 * The full suite's global set-up builds the bundle from the source (test/support/builds.ts); a
 * benchmark builds it before it starts (`buildHub`); anything else builds it here once if missing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildHub, HUB_NODE_FLAGS, hubEntry } from "../../functions/local/build.js";

const ROOT = join(import.meta.dirname, "../..");

let built: Promise<string> | undefined;
const builtHub = () => (built ??= existsSync(hubEntry()) ? Promise.resolve(hubEntry()) : buildHub());

/**
 * node's arguments for the hub: npm start's flags and its bundle, or tsx's loader for an entry of
 * TypeScript (which maps stack traces itself); `extra` first (an --import of TypeScript, such as a
 * benchmark's probe, brings tsx's loader with it too).
 */
const hubArgs = (entry: string, extra: string[] = []) => [
  ...([entry, ...extra].some((a) => a.endsWith(".ts")) ? ["--import", "tsx"] : []),
  ...extra,
  ...(entry.endsWith(".ts") ? [] : HUB_NODE_FLAGS),
  entry,
];
const LISTENING = /Hoptrace listening on (http:\/\/\S+)/;

export interface HubProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export interface HubProcessOptions {
  dataDir: string;
  /** 0 (the default) lets the system pick a free port; the URL is read from the start-up line. */
  port?: number;
  env?: Record<string, string>;
  /** Extra node flags, e.g. --expose-gc, or an --import of a probe (which may be TypeScript). */
  nodeArgs?: string[];
  /** Open an IPC channel to the child (for a probe loaded with --import). */
  ipc?: boolean;
  startTimeoutMs?: number;
  /** The file node runs: the bundle npm start runs unless given (functions/local/main.ts runs the source). */
  entry?: string;
}

/** Starts the process; resolves once it printed its URL. */
export async function startHubProcess(opts: HubProcessOptions): Promise<HubProcess> {
  const child = spawn(process.execPath, hubArgs(opts.entry ?? (await builtHub()), opts.nodeArgs), {
    cwd: ROOT,
    env: { ...process.env, HOPTRACE_DATA_DIR: opts.dataDir, PORT: String(opts.port ?? 0), LOG_LEVEL: "WARN", ...opts.env },
    stdio: ["ignore", "pipe", "pipe", ...(opts.ipc ? (["ipc"] as const) : [])],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`the hub did not start in time:\n${output}`));
    }, opts.startTimeoutMs ?? 30_000);
    const onData = () => {
      const match = LISTENING.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve({ url: match[1]!, pid: child.pid!, child, output: () => output, stop });
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited before it started (${code ?? signal}):\n${output}`));
    });
  });
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm start`'s entry point until it exits by itself (it is killed after `timeoutMs`).
 * `withoutFileOverride`: runs the hub without the capabilities that let root ignore file modes
 * and modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER), so another user's read-only folder
 * is read-only to it too while it still reads the repository as its owner, wherever the clone lives.
 */
export async function runHubProcessToExit(
  opts: Omit<HubProcessOptions, "ipc" | "startTimeoutMs"> & { withoutFileOverride?: boolean; timeoutMs?: number },
): Promise<Exited> {
  const node = [process.execPath, ...hubArgs(opts.entry ?? (await builtHub()), opts.nodeArgs)];
  const [command, ...args] = opts.withoutFileOverride ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--", ...node] : node;
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { ...process.env, HOPTRACE_DATA_DIR: opts.dataDir, PORT: String(opts.port ?? 0), LOG_LEVEL: "WARN", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  return new Promise((resolve) => {
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
