/**
 * The first consortium key. Every other account is registered through the signed API by the
 * consortium, so the consortium itself comes from configuration: a public JWK, never a secret.
 * Idempotent and safe for concurrent cold starts (a fixed account id, conditional writes).
 */
import { importPublicJwk, jwkThumbprint, type Ed25519PublicJwk } from "../crypto/keys.js";
import { MAX_ACTIVE_KEYS, type Account } from "../domain/account.js";
import { ConflictError } from "../domain/errors.js";
import type { CoreDeps } from "./ports.js";

export const CONSORTIUM_ACCOUNT_ID = "acc_consortium";

export async function ensureConsortium(
  deps: Pick<CoreDeps, "accounts" | "clock">,
  publicJwk: unknown,
  name = "Consortium",
): Promise<{ accountId: string; keyId: string }> {
  importPublicJwk(publicJwk);
  const { kty, crv, x } = publicJwk as Ed25519PublicJwk;
  const keyId = await jwkThumbprint({ kty, crv, x });
  if (await deps.accounts.getKey(keyId)) return { accountId: CONSORTIUM_ACCOUNT_ID, keyId };
  const now = deps.clock.now().toISOString();
  const account: Account = { id: CONSORTIUM_ACCOUNT_ID, kind: "consortium", name, spcCodes: [], createdAt: now, createdBy: "bootstrap" };
  await ignoreConflict(deps.accounts.createAccount(account));
  // Trusted configuration: the bootstrap key is the one key registered without a proof.
  await ignoreConflict(
    deps.accounts.addKey(
      {
        keyId,
        accountId: account.id,
        accountKind: "consortium",
        publicJwk: { kty, crv, x },
        status: "active",
        label: "bootstrap",
        createdAt: now,
        createdBy: "bootstrap",
      },
      MAX_ACTIVE_KEYS,
    ),
  );
  return { accountId: CONSORTIUM_ACCOUNT_ID, keyId };
}

/** A concurrent cold start wrote it first; any other conflict (too many keys) is the operator's to see. */
async function ignoreConflict(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ConflictError && (err.code === "account_exists" || err.code === "key_exists"))) throw err;
  }
}
