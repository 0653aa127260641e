/** The record a traceback's end leaves on it (record.ts makes it). */
import { FINDING_CODES } from "../shaken/finding-codes.js";
import { RMD_FINDING_CODES } from "../rmd/finding-codes.js";
import type { SnapshotRef } from "../rmd/standing.js";
import type { NamedCustomer } from "./customer.js";

/** Every kind of finding a traceback can be listed by: of its call and signatures, and of the RMD. */
export const FINDING_KINDS = [...FINDING_CODES, ...RMD_FINDING_CODES] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

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
