/**
 * The data key of the secrets at rest on AWS: derived (HKDF-SHA256) from a random string that
 * Secrets Manager generated when the stateful stack was created. Only the functions that read or
 * write webhook secrets may read it; none may change it.
 */
import { hkdfSync } from "node:crypto";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { dataKey, type DataKey } from "../../crypto/sealed-secret.js";

const MIN_SECRET_CHARS = 32;
const INFO = "hoptrace webhook secrets data key v1";

export async function loadDataKeySecret(client: SecretsManagerClient, secretId: string): Promise<DataKey> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = out.SecretString ?? "";
  if (value.length < MIN_SECRET_CHARS) throw new Error(`the data key secret holds fewer than ${MIN_SECRET_CHARS} characters`);
  return dataKey(new Uint8Array(hkdfSync("sha256", value, Buffer.alloc(0), INFO, 32)));
}
