import { z } from "@hono/zod-openapi";
import { ContactSchema } from "./common.js";

export const PublicJwkSchema = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "32 bytes, base64url"),
  })
  .passthrough()
  .openapi("PublicJwk", { example: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" } });

export const NewKeySchema = z
  .object({ publicJwk: PublicJwkSchema, label: z.string().max(100).optional() })
  .strict()
  .openapi("NewKey", { example: { publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" }, label: "switch-2026" } });

export const KeySchema = z
  .object({
    keyId: z.string().openapi({ description: "RFC 7638 JWK thumbprint: the `keyid` of signatures made with this key." }),
    accountId: z.string(),
    accountKind: z.enum(["consortium", "provider", "initiator"]),
    publicJwk: PublicJwkSchema,
    status: z.enum(["active", "revoked"]),
    label: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string(),
    revokedAt: z.string().optional(),
    revokedBy: z.string().optional(),
  })
  .openapi("Key", {
    example: {
      keyId: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
      accountId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
      accountKind: "provider",
      publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" },
      status: "active",
      label: "switch-2026",
      createdAt: "2024-06-01T14:00:00.000Z",
      createdBy: "acc_consortium",
    },
  });

const frn = z.string().regex(/^\d{10}$/, "10 digits").openapi({ example: "0012345678" });

export const RegisterProviderSchema = z
  .object({
    name: z.string().min(1).max(200),
    frn: frn.optional(),
    rmdNumber: z.string().max(40).optional().openapi({ example: "RMD0012345" }),
    spcCodes: z.array(z.string().regex(/^[0-9A-Za-z]{4}$/, "4 characters")).max(20).optional().openapi({ example: ["567J"] }),
    contact: ContactSchema,
    keys: z.array(NewKeySchema).max(5).optional(),
  })
  .strict()
  .openapi("RegisterProvider", {
    example: { name: "Carrier One", frn: "0012345678", rmdNumber: "RMD0012345", spcCodes: ["567J"], contact: { name: "Traceback desk", email: "traceback@carrier.example" } },
  });

export const RegisterInitiatorSchema = z
  .object({
    name: z.string().min(1).max(200),
    contact: ContactSchema,
    keys: z.array(NewKeySchema).max(5).optional(),
  })
  .strict()
  .openapi("RegisterInitiator", { example: { name: "State AG", contact: { name: "Robocall unit", email: "robocalls@ag.example" } } });

export const AccountSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["consortium", "provider", "initiator"]),
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

export const RegisteredAccountSchema = z
  .object({ account: AccountSchema, keys: z.array(KeySchema) })
  .openapi("RegisteredAccount", {
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
      keys: [
        {
          keyId: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
          accountId: "acc_01JD5ZQ7Y3S1Q0M0C8W2F4T6B9",
          accountKind: "provider",
          publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" },
          status: "active",
          createdAt: "2024-06-01T14:00:00.000Z",
          createdBy: "acc_consortium",
        },
      ],
    },
  });
