import { z } from "@hono/zod-openapi";
import { KEY_PROOF_PATTERN } from "../../../openapi/client/key-proof-statement.js";
import { ACCOUNT_KINDS, KEY_STATUSES, PERSON_ROLES } from "../../domain/account.js";
import { ContactSchema } from "./common.js";

/** The examples use RFC 9421's published test key; the proof is real (a contract test checks it). */
export const EXAMPLE_ACCOUNT_ID = "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9";
/** The `{accountId}` of a path. */
export const AccountIdParam = z.object({
  accountId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "accountId", in: "path" }, example: EXAMPLE_ACCOUNT_ID }),
});

export const EXAMPLE_PROOF = "Oq7wzYmozofweDi-s2aXjR_clxx2ucUc6iCHjtz4-Kt-NW4kjGYIzZ_E6vB-81Rtp9CYX5DT3yh-hkmt70tyAg";

const KeyProofSchema = z.string().regex(KEY_PROOF_PATTERN, "64 bytes, unpadded base64url").openapi({
  description:
    "Proof that the caller holds the key: the key's own Ed25519 signature, unpadded base64url, over the UTF-8 bytes of exactly `hoptrace-key-proof-v1\\n<accountId>\\n<keyId>` (three lines joined by a line feed, no final newline), where `<accountId>` is the account the key is registered to and `<keyId>` the RFC 7638 thumbprint of `publicJwk`. A proof names one account: it cannot register the key to another. The client's `keyProof(key, accountId)` makes it.",
  example: EXAMPLE_PROOF,
});

export const PublicJwkSchema = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "32 bytes, base64url"),
  })
  .passthrough()
  .openapi("PublicJwk", { example: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" } });

export const NewKeySchema = z
  .object({ publicJwk: PublicJwkSchema, proof: KeyProofSchema, label: z.string().max(100).optional() })
  .strict()
  .openapi("NewKey", {
    description:
      "A key to register. Small-order, non-canonically encoded and mixed-order keys are refused (`weak_key`), as is a key without a valid `proof` (`invalid_key_proof`). A key belongs to one account for good, even once revoked; an account holds at most 10 active keys.",
    example: { publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" }, proof: EXAMPLE_PROOF, label: "switch-2026" },
  });

const NewAccountIdSchema = z
  .string()
  .regex(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/, "acc_ and a ULID")
  .optional()
  .openapi({
    description:
      "The new account's id, chosen by the newcomer (`acc_` and a 26-character ULID, e.g. from the client's `newAccountId()`), because the `proof` of each of its keys names it. Required when `keys` are given; generated otherwise. 409 `account_exists` if taken.",
    example: EXAMPLE_ACCOUNT_ID,
  });

export const PersonRoleSchema = z.enum(PERSON_ROLES).openapi("PersonRole", {
  description:
    "`analyst`: a person of the consortium; `initiator`: an initiator's staff; `staff`: a provider's staff; `admin`: an organisation's administrator, who invites its persons and revokes their keys.",
  example: "staff",
});

export const PersonSchema = z
  .object({
    name: z.string().min(1).max(200),
    email: z.string().email().max(320),
    role: PersonRoleSchema,
  })
  .openapi("Person", {
    description: "The person who holds a person key (made in their browser at enrolment).",
    example: { name: "Dana Reyes", email: "dana.reyes@carrier.example", role: "staff" },
  });

const EXAMPLE_KEY = {
  keyId: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
  accountId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
  accountKind: "provider",
  publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" },
  status: "active",
  proof: EXAMPLE_PROOF,
  label: "switch-2026",
  createdAt: "2024-06-01T14:00:00.000Z",
  createdBy: "acc_consortium",
};

export const KeySchema = z
  .object({
    keyId: z.string().openapi({ description: "RFC 7638 JWK thumbprint: the `keyid` of signatures made with this key." }),
    accountId: z.string(),
    accountKind: z.enum(ACCOUNT_KINDS),
    publicJwk: PublicJwkSchema,
    status: z.enum(KEY_STATUSES),
    proof: z.string().optional().openapi({
      description:
        "The proof of possession the key was registered with (absent for the consortium's bootstrap key), so anyone can check that the key's holder asked for it.",
    }),
    label: z.string().optional(),
    person: PersonSchema.optional().openapi({ description: "Present on a person key: who holds it. Answers signed with it are attributed to this person." }),
    invitationId: z.string().optional().openapi({ description: "The invitation a person key was enrolled with." }),
    createdAt: z.string(),
    createdBy: z.string(),
    revokedAt: z.string().optional(),
    revokedBy: z.string().optional(),
  })
  .openapi("Key", {
    example: EXAMPLE_KEY,
  });

/** The same key as registered, before any label was given to it. */
const { label: _label, ...EXAMPLE_KEY_UNLABELLED } = EXAMPLE_KEY;

const frn = z
  .string()
  .regex(/^\d{10}$/, "10 digits")
  .openapi({ example: "0012345678" });

export const RegisterProviderSchema = z
  .object({
    id: NewAccountIdSchema,
    name: z.string().min(1).max(200),
    frn: frn.optional(),
    rmdNumber: z.string().max(40).optional().openapi({ example: "RMD0012345" }),
    spcCodes: z
      .array(z.string().regex(/^[0-9A-Za-z]{4}$/, "4 characters"))
      .max(20)
      .optional()
      .openapi({ example: ["567J"] }),
    contact: ContactSchema,
    keys: z.array(NewKeySchema).max(5).optional(),
  })
  .strict()
  .openapi("RegisterProvider", {
    example: {
      id: EXAMPLE_ACCOUNT_ID,
      name: "Carrier One",
      frn: "0012345678",
      rmdNumber: "RMD0012345",
      spcCodes: ["567J"],
      contact: { name: "Traceback desk", email: "traceback@carrier.example" },
      keys: [{ publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" }, proof: EXAMPLE_PROOF }],
    },
  });

export const RegisterInitiatorSchema = z
  .object({
    id: NewAccountIdSchema,
    name: z.string().min(1).max(200),
    contact: ContactSchema,
    keys: z.array(NewKeySchema).max(5).optional(),
  })
  .strict()
  .openapi("RegisterInitiator", { example: { name: "State AG", contact: { name: "Robocall unit", email: "robocalls@ag.example" } } });

export const AccountSchema = z
  .object({
    id: z.string(),
    kind: z.enum(ACCOUNT_KINDS),
    name: z.string(),
    frn: z.string().optional(),
    rmdNumber: z.string().optional(),
    spcCodes: z.array(z.string()),
    contact: ContactSchema.optional(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi("Account", {
    example: {
      id: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      kind: "provider",
      name: "Carrier One",
      frn: "0012345678",
      rmdNumber: "RMD0012345",
      spcCodes: ["567J"],
      contact: { name: "Traceback desk", email: "traceback@carrier.example" },
      createdAt: "2024-06-01T14:00:00.000Z",
      createdBy: "acc_consortium",
    },
  });

export const RegisteredAccountSchema = z.object({ account: AccountSchema, keys: z.array(KeySchema) }).openapi("RegisteredAccount", {
  example: {
    account: {
      id: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      kind: "provider",
      name: "Carrier One",
      frn: "0012345678",
      spcCodes: ["567J"],
      contact: { name: "Traceback desk", email: "traceback@carrier.example" },
      createdAt: "2024-06-01T14:00:00.000Z",
      createdBy: "acc_consortium",
    },
    keys: [EXAMPLE_KEY_UNLABELLED],
  },
});
