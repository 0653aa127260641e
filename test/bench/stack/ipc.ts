/**
 * The bench's processes talk over Node's IPC channel only (a pipe between parent and child, no
 * port): the parent asks, the child answers by request id; a child may also push events.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../../..");

export interface Message {
  type: string;
  id?: number;
  [field: string]: unknown;
}

export interface ChildHandle {
  pid: number;
  ask<T>(type: string, fields?: Record<string, unknown>): Promise<T>;
  onEvent(type: string, fn: (m: Message) => void): void;
  stop(): Promise<void>;
}

/** Starts `script` (TypeScript, under tsx) and resolves once it sent `ready`, with that message. */
export function startChild(script: string, env: Record<string, string> = {}): Promise<{ child: ChildHandle; ready: Message }> {
  const proc: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let next = 1;
  const pending = new Map<number, (m: Message) => void>();
  const listeners = new Map<string, (m: Message) => void>();
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    proc.once("exit", (code, signal) => reject(new Error(`${script} exited before it was ready (${code ?? signal})`)));
    proc.on("message", (m: Message) => {
      if (m.type === "ready") {
        resolve({
          ready: m,
          child: {
            pid: proc.pid!,
            ask: <T>(type: string, fields: Record<string, unknown> = {}) =>
              new Promise<T>((res) => {
                const id = next++;
                pending.set(id, (answer) => res(answer as T));
                proc.send({ ...fields, type, id });
              }),
            onEvent: (type, fn) => void listeners.set(type, fn),
            stop: async () => {
              if (proc.exitCode !== null || proc.signalCode !== null) return;
              proc.send({ type: "stop" });
              const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
              await exited;
              clearTimeout(timer);
            },
          },
        });
        return;
      }
      if (m.id !== undefined && pending.has(m.id)) {
        pending.get(m.id)!(m);
        pending.delete(m.id);
        return;
      }
      listeners.get(m.type)?.(m);
    });
  });
}

/** In a child: answers the parent's questions with `handlers`, by message type; `stop` ends the process after `onStop`. */
export function serveParent(handlers: Record<string, (m: Message) => unknown>, onStop: () => Promise<void>): void {
  process.on("message", (m: Message) => {
    if (m.type === "stop") {
      void onStop().finally(() => process.exit(0));
      return;
    }
    const handler = handlers[m.type];
    if (!handler) return;
    void Promise.resolve(handler(m)).then((answer) => process.send!({ ...(answer as object), type: m.type, id: m.id }));
  });
  // The parent gone (killed, crashed) means the bench is over.
  process.on("disconnect", () => void onStop().finally(() => process.exit(0)));
}

export const toParent = (m: Message) => process.send!(m);
