/** Invitations, enrolment, the signed-in caller, and the local mailbox. */
import { z } from "@hono/zod-openapi";
import { ACCOUNT_KINDS } from "../../domain/account.js";
import { DEFAULT_INVITATION_HOURS, invitationSchema, MAX_INVITATION_HOURS } from "../../domain/invitation.js";
import { localMailSchema } from "../../usecases/people-ports.js";
import { EXAMPLE_ACCOUNT_ID, KeySchema, PersonRoleSchema } from "./accounts.js";
import { EndpointSchema } from "./webhooks.js";

const EXAMPLE_TOKEN = "q3Jb1w2ZC8sVv9mXfQz5o0nWc4T7yLhR6aKdUeGpIiE";
const EXAMPLE_INVITATION_ID = "inv_7Q2M4ZK9X1V6B3N8R5T0W2C4YJ";

export const NewInvitationSchema = z
  .object({
    accountId: z.string().min(1).max(64).openapi({ description: "The account the person joins. An admin person invites only to its own account." }),
    email: z.string().email().max(320),
    name: z.string().min(1).max(200),
    role: PersonRoleSchema.openapi({
      description: "`analyst` or `admin` on the consortium, `initiator` or `admin` on an initiator, `staff` or `admin` on a provider.",
    }),
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(MAX_INVITATION_HOURS)
      .optional()
      .openapi({
        description: `How long the invitation can be used: ${DEFAULT_INVITATION_HOURS} hours unless given, at most ${MAX_INVITATION_HOURS} (two weeks).`,
      }),
  })
  .strict()
  .openapi("NewInvitation", { example: { accountId: EXAMPLE_ACCOUNT_ID, email: "dana.reyes@carrier.example", name: "Dana Reyes", role: "staff" } });

const INVITATION_EXAMPLE = {
  id: EXAMPLE_INVITATION_ID,
  accountId: EXAMPLE_ACCOUNT_ID,
  accountName: "Carrier One",
  accountKind: "provider" as const,
  email: "dana.reyes@carrier.example",
  name: "Dana Reyes",
  role: "staff" as const,
  status: "pending" as const,
  expiresAt: "2024-06-04T14:00:00.000Z",
  createdAt: "2024-06-01T14:00:00.000Z",
  createdBy: "acc_consortium",
  createdByKey: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
  emailedAt: "2024-06-01T14:00:01.000Z",
};

const invitation = invitationSchema.shape;
export const InvitationSchema = z
  .object({
    ...invitation,
    role: PersonRoleSchema,
    createdBy: invitation.createdBy.meta({ description: "The inviting account." }),
    createdByKey: invitation.createdByKey.meta({ description: "The key that signed the invitation." }),
    acceptedKeyId: invitation.acceptedKeyId.meta({ description: "The person key enrolled with it." }),
    emailedAt: invitation.emailedAt.meta({
      description: "When the invitation e-mail was sent; absent if sending failed (the link in the creation response still works).",
    }),
  })
  .openapi("Invitation", { example: INVITATION_EXAMPLE });

export const CreatedInvitationSchema = z
  .object({
    invitation: InvitationSchema,
    token: z.string().openapi({ description: "The single-use secret of the invitation, shown only here and in the e-mail; the hub keeps only its SHA-256." }),
    url: z.string().openapi({ description: "The enrolment link: `<PUBLIC_URL>/console/enrol#token=<token>` (in the fragment, so it reaches no server log)." }),
  })
  .openapi("CreatedInvitation", {
    example: { invitation: INVITATION_EXAMPLE, token: EXAMPLE_TOKEN, url: `http://127.0.0.1:8787/console/enrol#token=${EXAMPLE_TOKEN}` },
  });

export const EnrolmentSchema = z
  .object({
    accountId: z.string(),
    accountName: z.string(),
    accountKind: z.enum(ACCOUNT_KINDS),
    name: z.string(),
    email: z.string(),
    role: PersonRoleSchema,
    expiresAt: z.string(),
  })
  .openapi("Enrolment", {
    description: "What an invitation offers, for the person about to enrol with it.",
    example: {
      accountId: EXAMPLE_ACCOUNT_ID,
      accountName: "Carrier One",
      accountKind: "provider",
      name: "Dana Reyes",
      email: "dana.reyes@carrier.example",
      role: "staff",
      expiresAt: "2024-06-04T14:00:00.000Z",
    },
  });

export const TokenParam = z.object({
  token: z
    .string()
    .min(1)
    .max(128)
    .openapi({
      param: { name: "token", in: "path" },
      description: "The invitation's token, 43 base64url characters, from the enrolment link.",
      example: EXAMPLE_TOKEN,
    }),
});

export const MeSchema = z
  .object({
    account: z.object({ id: z.string(), kind: z.enum(ACCOUNT_KINDS), name: z.string() }),
    key: KeySchema.openapi({ description: "The key that signed this request, with its person for a person key." }),
    keys: z.array(KeySchema).openapi({ description: "Every key of the account, active and revoked." }),
    endpoints: z.array(EndpointSchema).openapi({ description: "The account's webhook endpoints." }),
  })
  .openapi("Me", {
    example: {
      account: { id: EXAMPLE_ACCOUNT_ID, kind: "provider", name: "Carrier One" },
      key: {
        keyId: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
        accountId: EXAMPLE_ACCOUNT_ID,
        accountKind: "provider",
        publicJwk: { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" },
        status: "active",
        person: { name: "Dana Reyes", email: "dana.reyes@carrier.example", role: "staff" },
        invitationId: EXAMPLE_INVITATION_ID,
        createdAt: "2024-06-01T14:05:00.000Z",
        createdBy: "acc_consortium",
      },
      keys: [],
      endpoints: [],
    },
  });

const mail = localMailSchema.shape;
export const LocalMailSchema = z
  .object({
    ...mail,
    text: mail.text.meta({ description: "The plain-text part." }),
    file: mail.file.meta({ description: "The `.eml` file, under the data folder's `mail/`." }),
  })
  .openapi("LocalMail", {
    example: {
      id: "20240601T140001000Z-000000-3f9a1c2b",
      createdAt: "2024-06-01T14:00:01.000Z",
      to: ["dana.reyes@carrier.example"],
      subject: "Your Hoptrace invitation for Carrier One",
      text: "Hello Dana Reyes, …",
      file: ".data/mail/20240601T140001000Z-000000-3f9a1c2b.eml",
    },
  });
