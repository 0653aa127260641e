/** What the RMD use cases need from storage. */
import { z } from "zod";
import type { ExportResult } from "../domain/rmd/export.js";
import type { ManifestEntry } from "../domain/rmd/snapshot.js";
import type { ChangeKind, FilingVersion, SnapshotRef } from "../domain/rmd/standing.js";
import type { Page, PageRequest } from "./page.js";

/** An import of the RMD export: the contract's `RmdImport` is built from it. */
export const rmdImportSchema = z.object({
  id: z.string(),
  /** When the export was taken. */
  asOf: z.string(),
  /** Staged imports are invisible; one becomes the snapshot in effect when it is committed. */
  status: z.enum(["staged", "committed", "abandoned"]),
  /** The snapshot it was diffed against (the one in effect when it was staged). */
  previousImportId: z.string().optional(),
  /** SHA-256 of the file as received, hex. */
  fileSha256: z.string(),
  fileBytes: z.number().int(),
  filings: z.number().int(),
  added: z.number().int(),
  changed: z.number().int(),
  removed: z.number().int(),
  unchanged: z.number().int(),
  importedAt: z.string(),
  importedBy: z.string(),
  committedAt: z.string().optional(),
});
export type RmdImport = z.infer<typeof rmdImportSchema>;

export interface RmdHead extends SnapshotRef {
  committedAt: string;
}

export interface RmdStore {
  /** The latest committed snapshot, read consistently. */
  head(): Promise<RmdHead | undefined>;
  getImport(importId: string): Promise<RmdImport | undefined>;
  /** Committed imports, newest first. */
  listImports(page: PageRequest): Promise<Page<RmdImport>>;
  /** The snapshot in effect at an instant: the latest committed one taken at or before it. */
  snapshotAt(at: string): Promise<SnapshotRef | undefined>;
  manifest(importId: string): Promise<ManifestEntry[]>;
  /** The versions the entries of a committed manifest point at. */
  listedVersions(entries: readonly ManifestEntry[]): Promise<FilingVersion[]>;
  /** A filing's newest committed version taken no later than the snapshot. */
  latestVersion(number: string, notAfter: SnapshotRef): Promise<FilingVersion | undefined>;
  /** A filing's committed versions, oldest first: its history in the RMD. */
  versionsOf(number: string, max: number): Promise<FilingVersion[]>;
  /** The filings removed from a snapshot while they listed the FRN (staged imports' included). */
  removedWithFrn(frn: string): Promise<string[]>;
  /** What an import added, changed or removed, by filing number. */
  listChanges(importId: string, page: PageRequest, kind?: ChangeKind): Promise<Page<FilingVersion>>;
  /** Writes an import and everything it adds, invisible until committed; safe to repeat. */
  stage(imp: RmdImport, versions: FilingVersion[], manifest: ManifestEntry[], removedFrns: Array<{ frn: string; number: string }>): Promise<void>;
  /**
   * Makes a staged import the snapshot in effect, if the one in effect is still `previous`
   * (none: there was none). False when another import was committed meanwhile.
   */
  commit(imp: RmdImport, committedAt: string): Promise<boolean>;
  /** Marks an import committed after its commit (repeatable; the head already made it visible). */
  markCommitted(imp: RmdImport, committedAt: string): Promise<void>;
  /** Marks a staged import that lost its commit, and removes what it staged. */
  abandon(imp: RmdImport, versions: FilingVersion[]): Promise<void>;
}

/** Reads the FCC's CSV export as it streams in: every filing, or every problem of the file. */
export type RmdExportReader = (body: AsyncIterable<Uint8Array>, opts: { maxFilings: number }) => Promise<ExportResult>;
