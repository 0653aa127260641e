/** Who signed a write, as recorded beside it: the one statement of it, which the contract's `Signer` is built from. */
import { z } from "zod";
import { PERSON_ROLES, type Principal } from "./account.js";

/** The account, the key and, for a person key, the person's name and role. */
export const signerSchema = z.object({
  accountId: z.string(),
  keyId: z.string(),
  person: z.object({ name: z.string(), role: z.enum(PERSON_ROLES) }).optional(),
});
export type Signer = z.infer<typeof signerSchema>;

export function signerOf(p: Principal): Signer {
  return { accountId: p.accountId, keyId: p.keyId, ...(p.person && { person: { name: p.person.name, role: p.person.role } }) };
}
