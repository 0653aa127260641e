/** The in-memory transparency log holds to the same contract as the one on DynamoDB. */
import { logStoreContract } from "../support/log-contract.js";
import { MemoryLogStore } from "./log-store.js";

logStoreContract(async () => ({ newStore: () => new MemoryLogStore(), stop: async () => undefined }), { crashes: "every" });
