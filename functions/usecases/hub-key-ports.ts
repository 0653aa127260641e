/** The hub's own signing key, as key storage hands it over: receipts, checkpoints and webhooks are signed with it. */
import type { KeyObject } from "node:crypto";
import type { Ed25519PublicJwk } from "../crypto/keys.js";

export interface HubKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
}
