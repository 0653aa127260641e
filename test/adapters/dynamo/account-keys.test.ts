/**
 * The active-key cap on the emulator: slots a crash left behind (a key never written, a
 * revocation whose slot was never freed) are reclaimed, and accounts stored before slots existed
 * get theirs from the keys they hold.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../../functions/adapters/dynamo/account-store.js";
import { createDocumentClient } from "../../../functions/adapters/dynamo/client.js";
import { keys } from "../../../functions/adapters/dynamo/keys.js";
import { ulidGenerator } from "../../../functions/adapters/ids.js";
import { MAX_ACTIVE_KEYS, type Account, type SigningKeyRecord } from "../../../functions/domain/account.js";
import { ConflictError } from "../../../functions/domain/errors.js";
import { startEmulators, type Emulators } from "../../../functions/local/emulators.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ids = ulidGenerator();
const T0 = Date.parse("2024-06-03T16:05:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

let emulators: Emulators;
let db: DynamoDBDocumentClient;
let store: DynamoAccountStore;

beforeAll(async () => {
  emulators = await startEmulators();
  db = createDocumentClient({ region: "us-east-1", endpoint: emulators.dynamoEndpoint });
  store = new DynamoAccountStore(db, emulators.tableName);
});
afterAll(async () => {
  db?.destroy();
  await emulators?.stop();
});

async function newAccount(): Promise<Account> {
  const account: Account = { id: ids.next("acc"), kind: "provider", name: "Slots", spcCodes: [], createdAt: at(0), createdBy: "acc_consortium" };
  await store.createAccount(account);
  return account;
}

function key(accountId: string, createdAt: string): SigningKeyRecord {
  return {
    keyId: `k-${ids.next("req")}`,
    accountId,
    accountKind: "provider",
    publicJwk: { kty: "OKP", crv: "Ed25519", x: "A".repeat(43) },
    status: "active",
    createdAt,
    createdBy: accountId,
  };
}

async function slotsOf(accountId: string): Promise<Record<string, string> | undefined> {
  const out = await db.send(new GetCommand({ TableName: emulators.tableName, Key: keys.account(accountId), ConsistentRead: true }));
  return out.Item?.activeKeys as Record<string, string> | undefined;
}

async function refusedCode(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConflictError);
  return (err as ConflictError).code;
}

describe("key slots", () => {
  it("slots taken by a crash before the key was written are free again after a minute, not before", async () => {
    const account = await newAccount();
    for (let i = 0; i < MAX_ACTIVE_KEYS; i++) {
      // What a process killed between taking the slot and writing the key leaves behind.
      await db.send(
        new UpdateCommand({
          TableName: emulators.tableName,
          Key: keys.account(account.id),
          UpdateExpression: "SET activeKeys.#k = :at",
          ExpressionAttributeNames: { "#k": `never-written-${i}` },
          ExpressionAttributeValues: { ":at": at(0) },
        }),
      );
    }
    expect(await refusedCode(store.addKey(key(account.id, at(30_000)), MAX_ACTIVE_KEYS))).toBe("too_many_keys");
    const later = key(account.id, at(61_000));
    await store.addKey(later, MAX_ACTIVE_KEYS);
    expect(Object.keys((await slotsOf(account.id))!)).toEqual([later.keyId]);
    expect(await store.getAccount(account.id)).not.toHaveProperty("activeKeys");
  });

  it("a key revoked without its slot freed (a crash in between) gives its slot back when the cap is hit", async () => {
    const account = await newAccount();
    const held: SigningKeyRecord[] = [];
    for (let i = 0; i < MAX_ACTIVE_KEYS; i++) {
      const k = key(account.id, at(i));
      await store.addKey(k, MAX_ACTIVE_KEYS);
      held.push(k);
    }
    expect(await refusedCode(store.addKey(key(account.id, at(100)), MAX_ACTIVE_KEYS))).toBe("too_many_keys");
    // The revocation's first write only.
    await db.send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: keys.signingKey(held[3]!.keyId),
        UpdateExpression: "SET #s = :revoked",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":revoked": "revoked" },
      }),
    );
    const next = key(account.id, at(200));
    await store.addKey(next, MAX_ACTIVE_KEYS);
    const slots = Object.keys((await slotsOf(account.id))!);
    expect(slots).toHaveLength(MAX_ACTIVE_KEYS);
    expect(slots).toContain(next.keyId);
    expect(slots).not.toContain(held[3]!.keyId);
  });

  it("revoking frees the slot; a conflicting key takes none", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const k = key(a.id, at(0));
    await store.addKey(k, MAX_ACTIVE_KEYS);
    expect(await refusedCode(store.addKey({ ...k, accountId: b.id }, MAX_ACTIVE_KEYS))).toBe("key_exists");
    expect(await slotsOf(b.id)).toEqual({});
    await store.revokeKey(a.id, k.keyId, a.id, at(10));
    expect(await slotsOf(a.id)).toEqual({});
    expect(await refusedCode(store.addKey(k, MAX_ACTIVE_KEYS))).toBe("key_exists");
    expect(await slotsOf(a.id)).toEqual({});
  });

  it("an account stored before key slots existed counts the active keys it holds", async () => {
    const id = ids.next("acc");
    await db.send(
      new PutCommand({
        TableName: emulators.tableName,
        Item: {
          ...keys.account(id),
          entity: "account",
          gsi1pk: keys.accountsByKind("provider"),
          gsi1sk: id,
          id,
          kind: "provider",
          name: "Old",
          spcCodes: [],
          createdAt: at(0),
          createdBy: "acc_consortium",
        },
      }),
    );
    const old = [key(id, at(1)), key(id, at(2)), { ...key(id, at(3)), status: "revoked" as const }];
    for (const k of old) {
      await db.send(
        new PutCommand({
          TableName: emulators.tableName,
          Item: { ...keys.signingKey(k.keyId), entity: "key", gsi1pk: keys.keysOf(id), gsi1sk: k.keyId, ...k },
        }),
      );
    }
    const next = key(id, at(10));
    await store.addKey(next, MAX_ACTIVE_KEYS);
    expect(Object.keys((await slotsOf(id))!).sort()).toEqual([old[0]!.keyId, old[1]!.keyId, next.keyId].sort());
    // With room for seven more.
    for (let i = 0; i < 7; i++) await store.addKey(key(id, at(20 + i)), MAX_ACTIVE_KEYS);
    expect(await refusedCode(store.addKey(key(id, at(40)), MAX_ACTIVE_KEYS))).toBe("too_many_keys");
  });

  it("a key for an account that does not exist is refused without writing it", async () => {
    const k = key(ids.next("acc"), at(0));
    await expect(store.addKey(k, MAX_ACTIVE_KEYS)).rejects.toThrow(/not found/);
    expect(await store.getKey(k.keyId)).toBeUndefined();
  });
});
