/** The transparency log on dynalite holds to the log store contract. */
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { DynamoLogStore } from "../../../functions/adapters/dynamo/log-store.js";
import { startEmulators } from "../../../functions/local/emulators.js";
import { logStoreContract } from "../../support/log-contract.js";

logStoreContract(async () => {
  const emulators = await startEmulators();
  const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  return {
    newStore: (name) => new DynamoLogStore(db, emulators.tableName, name),
    stop: async () => {
      db.destroy();
      await emulators.stop();
    },
  };
});
