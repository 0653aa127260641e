/**
 * Provider roles and customer references: small items written once when a traceback ends, read a
 * partition at a time for scorecards (a provider's) and repeat offenders (a month's).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { monthsOf, type CustomerRef, type ProviderRole } from "../../domain/intel/roles.js";
import type { IntelStore } from "../../usecases/intel-ports.js";
import { putAll } from "./batch.js";
import { allPages, queryPage } from "./items.js";
import { keys, TABLE } from "./keys.js";

const PAGE = 500;
/** Sort keys are `callTime#...`: every key of a call at or after `from`, up to `to` (filtered after). */
const range = (from: string, to: string): [string, string] => [from, to];

export class DynamoIntelStore implements IntelStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putRoles(roles: readonly ProviderRole[]): Promise<void> {
    await putAll(
      this.db,
      this.table,
      roles.map((r) => {
        const offending = r.roles.includes("originator") || r.roles.includes("point_of_entry");
        return {
          ...keys.providerRole(r.providerId, r.callTime, r.tracebackId),
          entity: "provider_role",
          ...(offending && { gsi1pk: keys.offenderRoles(r.callTime.slice(0, 7)), gsi1sk: `${r.callTime}#${r.providerId}#${r.tracebackId}` }),
          ...r,
        };
      }),
    );
  }

  async putCustomer(ref: CustomerRef): Promise<void> {
    await putAll(this.db, this.table, [{ ...keys.customerRef(ref.callTime.slice(0, 7), ref.callTime, ref.tracebackId), entity: "customer_ref", ...ref }]);
  }

  rolesOf(providerId: string, from: string, to: string, max: number): Promise<ProviderRole[]> {
    return this.between(undefined, keys.providerRoles(providerId), from, to, max);
  }

  async offenderRoles(from: string, to: string, max: number): Promise<ProviderRole[]> {
    const out: ProviderRole[] = [];
    for (const month of monthsOf(from, to)) {
      if (out.length >= max) break;
      out.push(...(await this.between<ProviderRole>(TABLE.indexes.byOwner, keys.offenderRoles(month), from, to, max - out.length)));
    }
    return out;
  }

  async customers(from: string, to: string, max: number): Promise<CustomerRef[]> {
    const out: CustomerRef[] = [];
    for (const month of monthsOf(from, to)) {
      if (out.length >= max) break;
      out.push(...(await this.between<CustomerRef>(undefined, keys.customerRefs(month), from, to, max - out.length)));
    }
    return out;
  }

  private async between<T extends { callTime: string }>(
    index: (typeof TABLE.indexes)[keyof typeof TABLE.indexes] | undefined,
    partition: string,
    from: string,
    to: string,
    max: number,
  ): Promise<T[]> {
    const items = await allPages(
      (cursor) =>
        queryPage<T>(this.db, this.table, index, partition, { limit: PAGE, ...(cursor && { cursor }) }, { ascending: true, sortKeyBetween: range(from, to) }),
      max,
    );
    // BETWEEN takes its upper end: a call at `to` exactly is outside [from, to).
    return items.filter((i) => i.callTime >= from && i.callTime < to);
  }
}
