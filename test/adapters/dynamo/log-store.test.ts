/**
 * The transparency log on dynalite holds to the log store contract; its integrator dies at a spread
 * of its store calls (the in-memory run tries each; HOPTRACE_KILL_POINTS=every: each here too).
 */
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { DynamoLogStore } from "../../../functions/adapters/dynamo/log-store.js";
import { startEmulators } from "../../../functions/local/emulators.js";
import { spreadKillPoints } from "../../support/kill-points.js";
import { logStoreContract } from "../../support/log-contract.js";

logStoreContract(
  async () => {
    const emulators = await startEmulators();
    const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
    return {
      newStore: (name) => new DynamoLogStore(db, emulators.tableName, name),
      stop: async () => {
        db.destroy();
        await emulators.stop();
      },
    };
  },
  { crashes: spreadKillPoints(4) },
);
