/**
 * The hub's signing key on AWS: a private JWK in Secrets Manager. Secrets Manager cannot generate
 * an Ed25519 key, so the first cold start creates one and stores it under a fixed client request
 * token: of two cold starts racing, exactly one version is written and both then read it.
 */
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { generateSigningKey } from "../../crypto/keys.js";
import type { HubKey } from "../../usecases/hub-key-ports.js";
import { hubKeyFromPrivateJwk } from "./hub-key-file.js";

const INITIAL_VERSION_TOKEN = "hoptrace-hub-key-initial-version-1";

export async function loadOrCreateHubKeySecret(client: SecretsManagerClient, secretId: string, opts: { create: boolean }): Promise<HubKey> {
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const parsed = parse(current.SecretString);
  if (parsed) return hubKeyFromPrivateJwk(parsed);
  if (!opts.create) throw new Error("the hub key has not been created yet: the API creates it on its first start");
  const created = await generateSigningKey();
  await client
    .send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(created.privateJwk), ClientRequestToken: INITIAL_VERSION_TOKEN }))
    .catch((err: Error) => {
      // Another cold start won the race with its own key under the same token.
      if (err.name !== "ResourceExistsException") throw err;
    });
  const stored = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const jwk = parse(stored.SecretString);
  if (!jwk) throw new Error("the hub key secret holds no private JWK");
  return hubKeyFromPrivateJwk(jwk);
}

/** The secret starts as a placeholder written by the stack; only a JWK with `d` counts. */
function parse(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    const jwk = JSON.parse(value) as Record<string, unknown>;
    return typeof jwk.d === "string" ? jwk : undefined;
  } catch {
    return undefined;
  }
}
