/** Ports of the people's side: invitations, enrolment and e-mail. */
import { z } from "zod";
import type { InvitationTokens } from "../crypto/invitation-token.js";
import type { Invitation } from "../domain/invitation.js";
import type { CoreDeps, Page, PageRequest } from "./ports.js";

/** An invitation as stored, with what identifies its token and the request that created it. */
export interface StoredInvitation {
  invitation: Invitation;
  tokenSha256: string;
  /** Method, path and body of the creating request, hashed: a retry must match it. */
  fingerprint: string;
}

export interface InvitationStore {
  /** Writes a new invitation, or returns the one already stored under its id. */
  create(stored: StoredInvitation): Promise<{ created: true } | { created: false; existing: StoredInvitation }>;
  get(id: string): Promise<StoredInvitation | undefined>;
  /** Newest first: one account's invitations, or every invitation. */
  list(accountId: string | undefined, page: PageRequest): Promise<Page<Invitation>>;
  /** pending -> accepted by this key, only before `expiresAt`; false when it is not pending or has expired. */
  accept(id: string, keyId: string, at: string): Promise<boolean>;
  /** Undoes an acceptance by this key whose key could not be stored. */
  unaccept(id: string, keyId: string): Promise<void>;
  /** pending -> revoked; the invitation as it stands afterwards. */
  revoke(id: string, by: string, at: string): Promise<Invitation | undefined>;
  markEmailed(id: string, at: string): Promise<void>;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The Message-ID, `<…@…>`: the same for every attempt of one notice. */
  messageId?: string;
}

/** A message not sent: what the transport said, without the message or its addresses, so it can be logged and shown. */
export class MailSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MailSendError";
  }
}

/** Sends one message; throws MailSendError when the transport refused it or could not be reached. */
export interface Mailer {
  readonly transport: "smtp" | "ses" | "files";
  send(message: MailMessage): Promise<{ messageId: string }>;
}

/** A message the local mailer wrote to disk, for the local operator to read. */
export const localMailSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  /** The plain-text part. */
  text: z.string(),
  /** Where the `.eml` file is. */
  file: z.string(),
});
export type LocalMail = z.infer<typeof localMailSchema>;

export interface LocalMailbox {
  list(page: PageRequest): Promise<Page<LocalMail>>;
}

export interface PeopleSettings {
  /** The public URL the console is served under (the API's own). */
  publicUrl: string;
}

export interface PeopleDeps extends CoreDeps {
  invitations: InvitationStore;
  invitationTokens: InvitationTokens;
  mailer: Mailer;
  /** Present in the local mode without SMTP: the messages written to disk. */
  localMailbox?: LocalMailbox;
  peopleSettings: PeopleSettings;
}
