/**
 * The first consortium person's invitation, printed by `npm start` so that a newcomer can open
 * the console at once. It goes through the invitation use case like any other: single-use, with
 * an expiry, mailed (locally: an .eml file). Each start hands back the same pending invitation,
 * since its token derives from the request's Idempotency-Key; once a person key is enrolled on
 * the consortium's account, no invitation is made.
 */
import type { PeopleDeps } from "../usecases/people-ports.js";
import { createInvitation } from "../usecases/invitations.js";
import { CONSORTIUM_ACCOUNT_ID } from "../usecases/bootstrap.js";

/** Expired or revoked invitations are followed by a new one, under the next key, a few times over. */
const ATTEMPTS = 50;

export interface FirstPerson {
  name: string;
  email: string;
}

export async function firstPersonInvitation(deps: PeopleDeps, consortiumKeyId: string, person: FirstPerson): Promise<{ url: string; expiresAt: string } | undefined> {
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

/** Prints where the console is and, until a consortium person has enrolled, the link that enrols the first. */
export async function printConsoleWelcome(deps: PeopleDeps, hubUrl: string, consortiumKeyId: string): Promise<void> {
  const person = { name: process.env.HOPTRACE_FIRST_PERSON_NAME ?? "Consortium analyst", email: process.env.HOPTRACE_FIRST_PERSON_EMAIL ?? "analyst@consortium.localhost" };
  const invitation = await firstPersonInvitation(deps, consortiumKeyId, person);
  console.log(`  console:       ${hubUrl}/console/`);
  if (invitation) console.log(`  first person:  open ${invitation.url}\n                 (single use, until ${invitation.expiresAt}; it enrols ${person.name} <${person.email}> as the consortium's admin)`);
}
