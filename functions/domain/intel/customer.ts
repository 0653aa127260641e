/**
 * Originator customers as providers name them: the same business appears as "Acme Dialer, LLC"
 * in one answer and "ACME DIALER LLC" in another, with an account reference only its own provider
 * understands and a contact that may be the one thing two answers share. Normalised keys make
 * those comparable; a customer is the same one when any key is shared.
 */
import { businessNameKey } from "../business-name.js";

export interface NamedCustomer {
  name: string;
  accountReference?: string;
  contact?: { name?: string; email?: string; phone?: string };
  /** `name:<key>`, `account:<provider> <ref>` (set by the caller, who knows the provider), `email:`, `phone:`. */
  keys: string[];
}

export function normaliseCustomer(c: { name: string; accountReference?: string; contact?: { name?: string; email?: string; phone?: string } }): NamedCustomer {
  const keys: string[] = [];
  const name = businessNameKey(c.name);
  if (name) keys.push(`name:${name}`);
  const email = c.contact?.email?.trim().toLowerCase();
  if (email && /^[^@\s]+@[^@\s]+$/.test(email)) keys.push(`email:${email}`);
  const digits = c.contact?.phone?.replace(/\D/g, "");
  if (digits && digits.length >= 7) keys.push(`phone:${digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits}`);
  return {
    name: c.name.trim(),
    ...(c.accountReference?.trim() && { accountReference: c.accountReference.trim() }),
    ...(c.contact && { contact: c.contact }),
    keys,
  };
}

/** An account reference means something only to the provider that issued it. */
export function accountKey(providerId: string, reference: string): string {
  return `account:${providerId} ${reference.trim().toUpperCase().replace(/\s+/g, "")}`;
}
