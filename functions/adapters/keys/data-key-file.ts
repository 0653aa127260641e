/**
 * The data key of the secrets at rest in the embedded mode: a symmetric JWK (RFC 7518 `oct`) in
 * its own owner-only file under the data folder, beside the table's files but not in them.
 * Created on first start; losing it makes every stored webhook secret unreadable.
 */
import { dataKey, newDataKey, type DataKey } from "../../crypto/sealed-secret.js";
import { KeyFileError, parseJsonKeyFile, readOrCreateKeyFile } from "./key-file.js";

export async function loadOrCreateDataKeyFile(path: string): Promise<DataKey> {
  const text = await readOrCreateKeyFile(path, () => JSON.stringify({ kty: "oct", alg: "A256GCM", use: "enc", k: newDataKey().bytes.toString("base64url") }));
  const jwk = parseJsonKeyFile(path, text);
  const bytes = typeof jwk.k === "string" && jwk.kty === "oct" ? Buffer.from(jwk.k, "base64url") : Buffer.alloc(0);
  if (bytes.length !== 32) throw new KeyFileError(`${path} holds no 256-bit oct key`);
  return dataKey(bytes);
}
