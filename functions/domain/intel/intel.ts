/** The record a traceback's end leaves on it (record.ts makes it). */
import type { FindingCode } from "../shaken/findings.js";
import type { RmdFindingCode } from "../rmd/finding-codes.js";
import type { SnapshotRef } from "../rmd/standing.js";
import type { NamedCustomer } from "./customer.js";

export type FindingKind = FindingCode | RmdFindingCode;

export interface FindingRef {
  code: FindingKind;
  providerId?: string;
}

export interface TracebackIntel {
  recordedAt: string;
  /** The RMD snapshot in effect at the call, when there was one. */
  rmdSnapshot?: SnapshotRef;
  /** Every finding of the traceback by kind and the provider it concerns, each pair once. */
  findings: FindingRef[];
  originator?: { providerId: string; hopSeq: number; customer: NamedCustomer };
  pointOfEntry?: { providerId: string; hopSeq: number };
}
