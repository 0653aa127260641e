/** The table as a CreateTable request, for the embedded emulator and adapter tests; the CDK stack builds the same from keys.ts. */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { TABLE, type IndexProjection } from "./keys.js";

export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(TABLE.indexes);
  const attributes = [TABLE.partitionKey, TABLE.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: "HASH" },
        { AttributeName: i.sortKey, KeyType: "RANGE" },
      ],
      Projection: projectionOf(i.projection),
    })),
  };
}

function projectionOf(p: IndexProjection): { ProjectionType: "ALL" } | { ProjectionType: "INCLUDE"; NonKeyAttributes: string[] } {
  return p.type === "ALL" ? { ProjectionType: "ALL" } : { ProjectionType: "INCLUDE", NonKeyAttributes: [...p.attributes] };
}
