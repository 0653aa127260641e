/**
 * dynalite releases every LevelDB iterator it reads through: a Query that stops at its Limit or
 * reads to the end, a GetItem, a scan of an index. An iterator left open keeps its snapshot
 * (memory outside the JS heap) for the life of the process.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../functions/adapters/dynamo/client.js";
import { TABLE } from "../../functions/adapters/dynamo/keys.js";
import { startEmulators } from "../../functions/local/emulators.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// Iterators attach themselves to their database when opened and detach when closed.
const require = createRequire(import.meta.url);
const fromDynalite = createRequire(require.resolve("dynalite"));
const { AbstractLevel } = createRequire(createRequire(fromDynalite.resolve("level")).resolve("classic-level"))("abstract-level") as {
  AbstractLevel: { prototype: { attachResource(r: object): void; detachResource(r: object): void } };
};
const open = new Set<object>();
const { attachResource, detachResource } = AbstractLevel.prototype;

describe("dynalite on LevelDB", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hoptrace-iterators-"));
    AbstractLevel.prototype.attachResource = function (r) {
      open.add(r);
      return attachResource.call(this, r);
    };
    AbstractLevel.prototype.detachResource = function (r) {
      open.delete(r);
      return detachResource.call(this, r);
    };
  });
  afterAll(async () => {
    AbstractLevel.prototype.attachResource = attachResource;
    AbstractLevel.prototype.detachResource = detachResource;
    await rm(dir, { recursive: true, force: true });
  });

  it("closes every iterator it opens", async () => {
    const emulators = await startEmulators({ dataPath: join(dir, "dynamodb") });
    const db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
    try {
      const T = emulators.tableName;
      const index = TABLE.indexes.byOwner;
      for (let i = 0; i < 30; i++)
        await db.send(new PutCommand({ TableName: T, Item: { pk: `P${i}`, sk: "S", [index.partitionKey]: "G", [index.sortKey]: `K${i}` } }));
      const before = open.size;
      for (let i = 0; i < 100; i++) {
        await db.send(
          new QueryCommand({
            TableName: T,
            IndexName: index.name,
            KeyConditionExpression: "#p = :p",
            ExpressionAttributeNames: { "#p": index.partitionKey },
            ExpressionAttributeValues: { ":p": "G" },
            Limit: 5,
          }),
        );
        await db.send(new QueryCommand({ TableName: T, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": `P${i % 30}` } }));
        await db.send(new GetCommand({ TableName: T, Key: { pk: `P${i % 30}`, sk: "S" }, ConsistentRead: true }));
      }
      // A closing iterator detaches on its next turn.
      await new Promise((r) => setTimeout(r, 50));
      expect(open.size - before).toBeLessThanOrEqual(2);
    } finally {
      db.destroy();
      await emulators.stop();
    }
  });
});
