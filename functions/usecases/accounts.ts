/** Registering providers and initiators, and managing the signing keys of every account. */
import type { KeyObject } from "node:crypto";
import {
  canManageKeysOf,
  isConsortium,
  MAX_ACTIVE_KEYS,
  type Account,
  type AccountKind,
  type Contact,
  type Principal,
  type SigningKeyRecord,
} from "../domain/account.js";
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError } from "../domain/errors.js";
import { parseHopId } from "../domain/ids.js";
import { keyProofStatement, verifyKeyProof } from "../crypto/key-proof.js";
import { importPublicJwk, InvalidKeyError, jwkThumbprint, type Ed25519PublicJwk } from "../crypto/keys.js";
import { activatePendingHop, outboxMarker, type FollowUpDeps } from "./followup.js";
import type { CoreDeps, Page, PageRequest } from "./ports.js";

export interface NewKeyInput {
  publicJwk: unknown;
  /** The key's signature over its registration statement (crypto/key-proof.ts). */
  proof: string;
  label?: string;
}

export interface RegisterAccountInput {
  /** Chosen by the newcomer, since the proofs of its keys name it; generated when there are no keys. */
  id?: string;
  name: string;
  frn?: string;
  rmdNumber?: string;
  spcCodes?: string[];
  contact?: Contact;
  keys?: NewKeyInput[];
}

export interface PreparedKey {
  publicJwk: Ed25519PublicJwk;
  keyId: string;
  proof: string;
  label?: string;
}

export async function registerAccount(
  deps: CoreDeps,
  p: Principal,
  kind: Exclude<AccountKind, "consortium">,
  input: RegisterAccountInput,
): Promise<{ account: Account; keys: SigningKeyRecord[] }> {
  if (!isConsortium(p)) throw new ForbiddenError("only the consortium registers accounts");
  const newKeys = input.keys ?? [];
  if (newKeys.length > 0 && input.id === undefined) {
    throw new RuleViolationError(
      "account_id_required",
      "keys are registered only with the account id their proofs name: choose one (acc_ and a ULID) and send it as id",
      "/id",
    );
  }
  const now = deps.clock.now().toISOString();
  const account: Account = {
    id: input.id ?? deps.ids.next("acc"),
    kind,
    name: input.name,
    spcCodes: [...new Set((input.spcCodes ?? []).map((c) => c.toUpperCase()))],
    createdAt: now,
    createdBy: p.accountId,
    ...(input.frn !== undefined && { frn: input.frn }),
    ...(input.rmdNumber !== undefined && { rmdNumber: input.rmdNumber }),
    ...(input.contact !== undefined && { contact: input.contact }),
  };
  // Keys are checked before anything is written, so a bad key leaves no half-registered account.
  const prepared = await Promise.all(newKeys.map((k, i) => prepareKey(k, account.id, `/keys/${i}`)));
  await ensureKeysAreNew(deps, prepared);
  // Hops may be waiting for this provider's FRN or RMD number: the account is marked until they are opened.
  const activation = kind === "provider" && (account.frn || account.rmdNumber) ? outboxMarker(new Date(now), account.id) : undefined;
  await deps.accounts.createAccount(account, activation);
  const keys: SigningKeyRecord[] = [];
  for (const k of prepared) keys.push(await storeKey(deps, account, k, p.accountId, now));
  // The reconciler opens them again after its grace, and only then clears the marker: a hop
  // written just before (its index entry not yet readable) is found then.
  if (activation) {
    await activatePendingHops(deps, account).catch((err) =>
      deps.log.warn("activation of waiting hops deferred to the reconciler", { accountId: account.id, error: String(err) }),
    );
  }
  return { account, keys };
}

/** Opens the hops waiting for a newly registered provider, then clears the account's marker. */
export async function finishActivation(deps: FollowUpDeps, accountId: string, marker: string): Promise<void> {
  const account = await deps.accounts.getAccount(accountId);
  if (account?.kind === "provider") await activatePendingHops(deps, account);
  await deps.accounts.clearActivation(accountId, marker);
}

/**
 * A key is accepted only if it is strong (crypto/keys.ts) and its holder signed the statement
 * naming this account and this key, so nobody registers a key they do not hold, for themselves
 * or in another account's name.
 */
export async function prepareKey(input: NewKeyInput, accountId: string, at: string): Promise<PreparedKey> {
  const { key, publicJwk, keyId } = await readNewKey(input.publicJwk, at);
  if (!verifyKeyProof(key, accountId, keyId, input.proof)) {
    const statement = JSON.stringify(keyProofStatement(accountId, keyId));
    throw new RuleViolationError(
      "invalid_key_proof",
      `proof must be this key's Ed25519 signature, in base64url, over the UTF-8 bytes of ${statement}`,
      `${at}/proof`,
    );
  }
  return { publicJwk, keyId, proof: input.proof, ...(input.label !== undefined && { label: input.label }) };
}

/** A public JWK offered for registration, refused with a pointer under `at` unless strong. */
export async function readNewKey(jwk: unknown, at: string): Promise<{ key: KeyObject; publicJwk: Ed25519PublicJwk; keyId: string }> {
  let key: KeyObject;
  try {
    key = importPublicJwk(jwk);
  } catch (err) {
    if (!(err instanceof InvalidKeyError)) throw err;
    if (err.code === "weak_key") throw new RuleViolationError("weak_key", `refused public key: ${err.message}`, `${at}/publicJwk/x`);
    throw new RuleViolationError("invalid_key", `not an Ed25519 public JWK: ${err.message}`, `${at}/publicJwk`);
  }
  const { kty, crv, x } = jwk as Ed25519PublicJwk;
  const publicJwk = { kty, crv, x };
  return { key, publicJwk, keyId: await jwkThumbprint(publicJwk) };
}

/**
 * A key that is already registered, or listed twice, would fail only after the account and its
 * FRN/SPC claims were written, leaving an account that can neither sign nor be registered again.
 */
async function ensureKeysAreNew(deps: CoreDeps, prepared: Array<{ keyId: string }>): Promise<void> {
  const seen = new Set<string>();
  for (const [i, k] of prepared.entries()) {
    if (seen.has(k.keyId)) throw new RuleViolationError("duplicate_key", "the same public key is listed twice", `/keys/${i}/publicJwk`);
    seen.add(k.keyId);
    if (await deps.accounts.getKey(k.keyId)) throw new ConflictError("key_exists", "this public key is already registered");
  }
}

export async function storeKey(
  deps: CoreDeps,
  account: Account,
  k: PreparedKey,
  by: string,
  at: string,
  extra: Pick<SigningKeyRecord, "person" | "invitationId"> = {},
): Promise<SigningKeyRecord> {
  const record: SigningKeyRecord = {
    keyId: k.keyId,
    accountId: account.id,
    accountKind: account.kind,
    publicJwk: k.publicJwk,
    status: "active",
    proof: k.proof,
    createdAt: at,
    createdBy: by,
    ...(k.label !== undefined && { label: k.label }),
    ...extra,
  };
  await deps.accounts.addKey(record, MAX_ACTIVE_KEYS);
  return record;
}

export async function getAccount(deps: CoreDeps, p: Principal, id: string, kind: AccountKind): Promise<Account> {
  const account = await deps.accounts.getAccount(id);
  // Providers form a directory every participant may read, to name an upstream by id.
  const visible = account && account.kind === kind && (isConsortium(p) || kind === "provider" || account.id === p.accountId);
  if (!visible) throw new NotFoundError(`${kind} ${id} not found`);
  return account;
}

export async function listAccounts(deps: CoreDeps, p: Principal, kind: AccountKind, page: PageRequest): Promise<Page<Account>> {
  if (kind !== "provider" && !isConsortium(p)) throw new ForbiddenError(`only the consortium lists ${kind}s`);
  return deps.accounts.listAccounts(kind, page);
}

/** The account whose keys the caller reads (any of its keys) or manages (see canManageKeysOf). */
async function accountForKeys(deps: CoreDeps, p: Principal, accountId: string, manage = true): Promise<Account> {
  const own = p.accountId === accountId;
  if (manage && own && !canManageKeysOf(p, accountId)) throw new ForbiddenError("only an admin person, or a system's key, manages the account's keys");
  const account = isConsortium(p) || own ? await deps.accounts.getAccount(accountId) : undefined;
  if (!account) throw new NotFoundError(`account ${accountId} not found`);
  return account;
}

export async function addKey(deps: CoreDeps, p: Principal, accountId: string, input: NewKeyInput): Promise<SigningKeyRecord> {
  const account = await accountForKeys(deps, p, accountId);
  const prepared = await prepareKey(input, account.id, "");
  return storeKey(deps, account, prepared, p.accountId, deps.clock.now().toISOString());
}

export async function listKeys(deps: CoreDeps, p: Principal, accountId: string, page: PageRequest): Promise<Page<SigningKeyRecord>> {
  await accountForKeys(deps, p, accountId, false);
  return deps.accounts.listKeys(accountId, page);
}

export async function revokeKey(deps: CoreDeps, p: Principal, accountId: string, keyId: string): Promise<SigningKeyRecord> {
  await accountForKeys(deps, p, accountId);
  if (keyId === p.keyId) throw new ConflictError("cannot_revoke_own_key", "a key cannot revoke itself; sign with another active key");
  return deps.accounts.revokeKey(accountId, keyId, p.accountId, deps.clock.now().toISOString());
}

/**
 * Hops that were waiting for an unregistered upstream with this FRN or RMD number become hop
 * requests to the newly registered provider. Each activated hop leaves the pending index, so
 * reading page after page until one comes back empty visits every one of them.
 */
async function activatePendingHops(deps: FollowUpDeps, provider: Account): Promise<void> {
  const ids = [...(provider.frn ? [["FRN", provider.frn] as const] : []), ...(provider.rmdNumber ? [["RMD", provider.rmdNumber] as const] : [])];
  for (const [kind, value] of ids) {
    for (let page = 0; page < 100; page++) {
      const pending = await deps.tracebacks.hopsAwaitingRegistration(kind, value);
      if (pending.length === 0) break;
      let activated = 0;
      for (const hop of pending) if (await activatePendingHop(deps, provider, hop)) activated++;
      if (activated === 0) break;
    }
  }
}

/**
 * The consortium points a hop that waits on an unregistered upstream (one named without FRN or
 * RMD number, or registered under other numbers) at a registered provider.
 */
export async function assignPendingHop(deps: CoreDeps, p: Principal, hopId: string, providerId: string): Promise<void> {
  if (!isConsortium(p)) throw new ForbiddenError("only the consortium assigns waiting hop requests");
  const ref = parseHopId(hopId);
  const hop = ref && (await deps.tracebacks.getHop(ref.tracebackId, ref.seq, true));
  if (!hop) throw new NotFoundError(`hop request ${hopId} not found`);
  if (hop.value.status !== "awaiting_registration") throw new ConflictError("hop_not_awaiting_registration", `hop request ${hopId} is ${hop.value.status}`);
  const provider = await deps.accounts.getAccount(providerId);
  if (!provider || provider.kind !== "provider") throw new RuleViolationError("unknown_provider", `no registered provider ${providerId}`, "/providerId");
  if (!(await activatePendingHop(deps, provider, hop.value))) throw new ConflictError("hop_changed", `hop request ${hopId} changed; read it again`);
}
