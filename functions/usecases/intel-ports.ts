/** Where the parts providers played in completed tracebacks, and the customers originators named, are kept. */
import type { CustomerRef, ProviderRole } from "../domain/intel/roles.js";

export interface IntelStore {
  /** Written again by a repeated follow-up: same items. */
  putRoles(roles: readonly ProviderRole[]): Promise<void>;
  putCustomer(ref: CustomerRef): Promise<void>;
  /** A provider's roles in tracebacks called in [from, to), at most `max`. */
  rolesOf(providerId: string, from: string, to: string, max: number): Promise<ProviderRole[]>;
  /** Every originator and point-of-entry role in tracebacks called in [from, to), at most `max`. */
  offenderRoles(from: string, to: string, max: number): Promise<ProviderRole[]>;
  /** The customers originators named in tracebacks called in [from, to), at most `max`. */
  customers(from: string, to: string, max: number): Promise<CustomerRef[]>;
}
