/** A table made on dynalite is used only once it is ACTIVE, however long CREATING lasts. */
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableInput } from "../../functions/adapters/dynamo/table-definition.js";
import { createActiveTable } from "../../functions/local/emulators.js";

// A table that stays CREATING for a while, as on a loaded machine (or on DynamoDB itself).
const server = dynalite({ createTableMs: 300 });
let client: DynamoDBClient;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new DynamoDBClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});
afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const put = (table: string) => client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "a" }, sk: { S: "b" } } }));

describe("createActiveTable", () => {
  it("returns once the table takes items, where the bare CreateTable answer comes too early", async () => {
    await client.send(new CreateTableCommand(createTableInput("bare")));
    await expect(put("bare")).rejects.toThrow(/not found/i);

    await createActiveTable(client, createTableInput("waited"));
    await expect(put("waited")).resolves.toBeDefined();
  });

  it("finds a table already made and waits for it all the same", async () => {
    await createActiveTable(client, createTableInput("twice"));
    await createActiveTable(client, createTableInput("twice"));
    await expect(put("twice")).resolves.toBeDefined();
  });
});
