/**
 * The first consortium person's invitation, printed by `npm start` so that a newcomer can open
 * the console at once. It goes through the invitation use case like any other: single-use, with
 * an expiry, mailed (locally: an .eml file). Each start hands back the same pending invitation,
 * since its token derives from the request's Idempotency-Key; once a person key is enrolled on
 * the consortium's account, no invitation is made.
 */
import { NewInvitationSchema } from "../http/schemas/people.js";
import type { PeopleDeps } from "../usecases/people-ports.js";
import { createInvitation } from "../usecases/invitations.js";
import { CONSORTIUM_ACCOUNT_ID } from "../usecases/bootstrap.js";

/** Expired or revoked invitations are followed by a new one, under the next key, a few times over. */
const ATTEMPTS = 50;

export interface FirstPerson {
  name: string;
  email: string;
}

export async function firstPersonInvitation(
  deps: PeopleDeps,
  consortiumKeyId: string,
  person: FirstPerson,
): Promise<{ url: string; expiresAt: string } | undefined> {
  const keys = await deps.accounts.listKeys(CONSORTIUM_ACCOUNT_ID, { limit: 100 });
  if (keys.items.some((k) => k.status === "active" && k.person)) return undefined;
  const principal = { accountId: CONSORTIUM_ACCOUNT_ID, kind: "consortium" as const, keyId: consortiumKeyId };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const created = await createInvitation(
      deps,
      principal,
      { accountId: CONSORTIUM_ACCOUNT_ID, name: person.name, email: person.email, role: "admin" },
      { idempotencyKey: `first-consortium-person-${attempt}`, fingerprint: "first-consortium-person" },
    );
    if (created.invitation.status === "pending") return { url: created.url, expiresAt: created.invitation.expiresAt };
  }
  return undefined;
}

const DEFAULT_PERSON: FirstPerson = { name: "Consortium analyst", email: "analyst@consortium.localhost" };

/** Who the first invitation is for: HOPTRACE_FIRST_PERSON_NAME and HOPTRACE_FIRST_PERSON_EMAIL, checked as an invitation's name and e-mail are. */
export function firstPersonFrom(env: Record<string, string | undefined>): { person: FirstPerson; problems: string[] } {
  const person = { name: env.HOPTRACE_FIRST_PERSON_NAME ?? DEFAULT_PERSON.name, email: env.HOPTRACE_FIRST_PERSON_EMAIL ?? DEFAULT_PERSON.email };
  const problems: string[] = [];
  if (!NewInvitationSchema.shape.name.safeParse(person.name).success)
    problems.push(`HOPTRACE_FIRST_PERSON_NAME=${JSON.stringify(person.name)} is not allowed: use a name of 1 to 200 characters`);
  if (!NewInvitationSchema.shape.email.safeParse(person.email).success)
    problems.push(`HOPTRACE_FIRST_PERSON_EMAIL=${JSON.stringify(person.email)} is not allowed: use an e-mail address such as ada@consortium.example`);
  return { person, problems };
}

/** The start-up lines for the console: where it is and, until a consortium person has enrolled, the link that enrols the first. */
export async function consoleWelcome(
  deps: PeopleDeps,
  hubUrl: string,
  consortiumKeyId: string,
  person: FirstPerson,
): Promise<{ lines: string[]; invited: boolean }> {
  const invitation = await firstPersonInvitation(deps, consortiumKeyId, person);
  const lines = [`  console:        ${hubUrl}/console/`];
  if (invitation)
    lines.push(
      `  first person:   open ${invitation.url}`,
      `                  (single use, until ${invitation.expiresAt}; it enrols ${person.name} <${person.email}> as the consortium's admin)`,
    );
  return { lines, invited: invitation !== undefined };
}
