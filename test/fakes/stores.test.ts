/** The in-memory stores of the fast suite hold to the same contract as the DynamoDB adapters. */
import { storeContract } from "../support/store-contract.js";
import { MemoryAccountStore } from "./account-store.js";
import { MemoryCampaignStore } from "./campaign-store.js";
import { MemoryEvidenceStore } from "./evidence-store.js";
import { MemoryIntelStore } from "./intel-store.js";
import { MemoryLogStore } from "./log-store.js";
import { MemoryRmdStore } from "./rmd-store.js";
import { MemoryTracebackStore } from "./traceback-store.js";
import { MemoryWebhookStore } from "./webhook-store.js";

storeContract(async () => {
  const logs = new Map<string, MemoryLogStore>();
  return {
    accounts: new MemoryAccountStore(),
    tracebacks: new MemoryTracebackStore(),
    evidence: new MemoryEvidenceStore(),
    rmd: new MemoryRmdStore(),
    campaigns: new MemoryCampaignStore(),
    intel: new MemoryIntelStore(),
    webhooks: new MemoryWebhookStore(),
    logStore: (name) => logs.get(name) ?? logs.set(name, new MemoryLogStore()).get(name)!,
    stop: async () => undefined,
  };
});
