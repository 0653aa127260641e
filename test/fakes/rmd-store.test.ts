/** The in-memory RMD store holds to the same contract as the one on DynamoDB. */
import { rmdStoreContract } from "../support/rmd-contract.js";
import { MemoryRmdStore } from "./rmd-store.js";

rmdStoreContract(async () => new MemoryRmdStore());
