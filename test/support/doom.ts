/** A process killed between two calls to its ports: from call N on, every call throws. */
import type { WebhookSettings } from "../../functions/usecases/webhook-ports.js";

/** Counts port calls; from call `after` on, every call throws, as if the process had died. */
export class Doom {
  calls = 0;
  fired = false;
  constructor(readonly after: number) {}
  tick(): void {
    if (this.calls++ >= this.after) {
      this.fired = true;
      throw new Error(`process killed after ${this.after} port calls`);
    }
  }
}

/** The port with every method call counted by `doom` first. */
export function doomed<T extends object>(port: T, doom: Doom): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        doom.tick();
        return value.apply(target, args);
      };
    },
  });
}

/** The delivery worker's settings in a process that may die: claims of a dead one lapse after `leaseSeconds`. */
export function webhookSettingsFor(leaseSeconds: number): WebhookSettings {
  return {
    publicUrl: "https://hub.example",
    pausePolicy: { afterFailures: 30, afterSeconds: 86_400 },
    secretGraceSeconds: 86_400,
    leaseSeconds,
    recoveryGraceSeconds: leaseSeconds,
    attemptTimeoutMs: 10_000,
  };
}
