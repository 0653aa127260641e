import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface DynamoConnection {
  region: string;
  /** Set only for the embedded emulator; in AWS the SDK finds the regional endpoint. */
  endpoint?: string;
}

export function createDocumentClient(conn: DynamoConnection): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: conn.region,
    ...(conn.endpoint && { endpoint: conn.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
    maxAttempts: 4,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
