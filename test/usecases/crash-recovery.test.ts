/** A process killed between any two calls to its ports, on the in-memory ports: every kill point of every scenario. */
import { MemoryAccountStore } from "../fakes/account-store.js";
import { MemoryCampaignStore } from "../fakes/campaign-store.js";
import { MemoryDeliveryQueue, MemoryMailer } from "../fakes/delivery.js";
import { MemoryEvidenceStore } from "../fakes/evidence-store.js";
import { MemoryIntelStore } from "../fakes/intel-store.js";
import { MemoryLogStore } from "../fakes/log-store.js";
import { MemoryRmdStore } from "../fakes/rmd-store.js";
import { MemoryTracebackStore } from "../fakes/traceback-store.js";
import { MemoryWebhookStore } from "../fakes/webhook-store.js";
import { crashRecoverySuite, type CrashWorld } from "../support/crash-recovery.js";

async function inMemory(): Promise<CrashWorld> {
  return {
    stores: {
      accounts: new MemoryAccountStore(),
      evidence: new MemoryEvidenceStore(),
      tracebacks: new MemoryTracebackStore(),
      webhooks: new MemoryWebhookStore(),
      log: new MemoryLogStore(),
      rmd: new MemoryRmdStore(),
      campaigns: new MemoryCampaignStore(),
      intel: new MemoryIntelStore(),
    },
    mailer: new MemoryMailer(),
    queue: async () => {
      const queue = new MemoryDeliveryQueue();
      return {
        queue,
        drain: async (handle) => {
          // As the worker on SQS receives them: a delayed message is not visible yet.
          for (let batch = visible(queue); batch.length > 0; batch = visible(queue)) for (const m of batch) await handle(m.message);
        },
      };
    },
    stop: async () => undefined,
  };
}

/** Takes the messages waiting without a delay, leaving the delayed ones queued. */
function visible(queue: MemoryDeliveryQueue) {
  const taken = queue.take();
  queue.waiting.push(...taken.filter((m) => m.delaySeconds));
  return taken.filter((m) => !m.delaySeconds);
}

crashRecoverySuite(inMemory, "every");
