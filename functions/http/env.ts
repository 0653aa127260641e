/** What the HTTP layer shares between middleware and routes, and what it needs from outside. */
import type { Principal, SigningKeyRecord } from "../domain/account.js";
import type { Signer } from "../domain/signer.js";
import type { CursorSeal } from "../crypto/cursor-seal.js";
import type { Ed25519PublicJwk } from "../crypto/keys.js";
import type { PeopleDeps } from "../usecases/people-ports.js";
import type { SecretBox, WebhookDeps } from "../usecases/webhook-ports.js";
import type { HubKey } from "../usecases/hub-key-ports.js";
import type { RequestStore } from "../usecases/request-ports.js";
import type { RmdExportReader } from "../usecases/rmd-ports.js";

/** The authenticated request as received, kept verbatim where it becomes evidence. */
export interface SignedRequest {
  method: string;
  targetUri: string;
  keyId: string;
  publicJwk: Ed25519PublicJwk;
  /** The key's registration proof (its holder's signature naming the account), when it has one. */
  keyProof?: string;
  /** The person holding the key, for a person key. */
  keyPerson?: Signer["person"];
  signatureInput: string;
  signature: string;
  contentDigest?: string;
  idempotencyKey?: string;
  contentType?: string;
  body: string;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    signed: SignedRequest;
    /** Whose rate the request counts against: an account (`acc:`), or a client address (`addr:`). */
    caller: string;
    /** On an enrolment: the new key that signed the request, taken from its body. */
    enrolling: { keyId: string; publicJwk: Ed25519PublicJwk };
    /** The traceback or account a write concerns, for its log entry; the caller's account when unset. */
    subject?: string;
    /** When the hub accepted the write, as the state it wrote records it; now when unset. */
    acceptedAt?: Date;
    /** The Idempotency-Key a POST holds, and when it was first tried (a crashed attempt may have written). */
    attempt?: RequestAttempt;
  };
}

export interface RequestAttempt {
  key: string;
  firstTriedAt: number;
}

export interface HttpSettings {
  /** The public URL of the API (scheme, host, base path): `@target-uri` is checked against it. */
  publicUrl: string;
  maxBodyBytes: number;
  maxClockSkewSeconds: number;
  maxSignatureLifetimeSeconds: number;
  idempotencyRetentionSeconds: number;
  idempotencyLeaseSeconds: number;
  defaultDeadlinePolicy: string;
  rateLimit: { perSecond: number; burst: number };
  /** Per client address, for the requests made without a registered key (enrolment). */
  publicRateLimit: { perSecond: number; burst: number };
  /** Say in a 401 which signature check failed (the local mode); otherwise one opaque 401. */
  explainSignatureRefusals?: boolean;
}

export interface AppDeps extends WebhookDeps, PeopleDeps {
  requests: RequestStore;
  /** The signing keys behind signatures, as this instance last read them (usecases/signing-key-cache.ts). */
  signingKeys: { get(keyId: string): Promise<SigningKeyRecord | undefined> };
  /** Seals what a stored response would otherwise keep in the clear (a webhook secret). */
  secrets: SecretBox;
  hubKeys: { current: HubKey; published: HubKey[] };
  /** Seals the page cursors handed to clients and opens the ones they send back. */
  cursors: CursorSeal;
  /** Parses the RMD export an upload streams in. */
  readRmdExport: RmdExportReader;
  settings: HttpSettings;
}
