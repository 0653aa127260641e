/**
 * dynalite writes an item and its index entries one after the other; a kill between them leaves
 * the index out of step. The LevelDB files are edited here as such a kill leaves them (entries of
 * marked items gone, an entry of a write that never completed left over), and the next start of
 * the emulators must find every marked item again through the index, and nothing more.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../functions/adapters/dynamo/client.js";
import { DynamoWebhookStore } from "../../functions/adapters/dynamo/webhook-store.js";
import { secretBox } from "../../functions/adapters/keys/secret-box.js";
import { newDataKey } from "../../functions/crypto/sealed-secret.js";
import type { HubEvent } from "../../functions/domain/events.js";
import { startEmulators } from "../../functions/local/emulators.js";

/** The data key webhook secrets are sealed with at rest. */
const DATA_KEY = newDataKey();

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const event = (n: number): HubEvent => ({
  id: `evt_mend_${n}`,
  type: "hop_request.created",
  createdAt: "2024-06-03T16:00:00.000Z",
  recipientId: "acc_MEND",
  data: { hopId: `hop_mend_${n}` },
});

async function withStore<T>(dataPath: string, use: (store: DynamoWebhookStore) => Promise<T>): Promise<T> {
  const emulators = await startEmulators({ dataPath });
  const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  try {
    return await use(
      new DynamoWebhookStore(
        db,
        emulators.tableName,
        secretBox(async () => DATA_KEY),
      ),
    );
  } finally {
    db.destroy();
    await emulators.stop();
  }
}

describe("the embedded table after a kill mid-write", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("finds every marked item again through its index, and no entry of a write that never completed", async () => {
    dir = await mkdtemp(join(tmpdir(), "hoptrace-mend-"));
    const dataPath = join(dir, "dynamodb");
    await withStore(dataPath, async (store) => {
      for (const n of [1, 2, 3, 4]) expect(await store.recordEvent(event(n), "2024-06-03T16:00:01.000Z")).toBe("created");
      await store.markFannedOut(event(3));
    });

    // What kills leave: the outbox entries of events 1 and 2 deleted before their items were
    // written again (an update cut short), and the entries of event 4 written without its item.
    const level = new Level<string, Record<string, { S?: string }>>(dataPath, { valueEncoding: "json" });
    const doomed: string[] = [];
    for await (const [key, value] of level.iterator()) {
      const id = value.id?.S;
      if (key.startsWith("index-global~hoptrace~gsi4~") && (id === "evt_mend_1" || id === "evt_mend_2")) doomed.push(key);
      if (key.startsWith("item-hoptrace~") && id === "evt_mend_4") doomed.push(key);
    }
    expect(doomed).toHaveLength(3);
    for (const key of doomed) await level.del(key);
    await level.close();

    const mended = async (store: DynamoWebhookStore) => {
      expect((await store.eventsAwaitingFanOut("9999", 100)).map((e) => e.id).sort()).toEqual(["evt_mend_1", "evt_mend_2"]);
      expect((await store.listEvents("acc_MEND", { limit: 100 })).items.map((e) => e.id).sort()).toEqual(["evt_mend_1", "evt_mend_2", "evt_mend_3"]);
      expect(await store.getEvent("evt_mend_4")).toBeUndefined();
    };
    await withStore(dataPath, mended);
    // Mended once, the next start finds the same.
    await withStore(dataPath, mended);
  });
});
