/**
 * What the RMD said about a filing on a given date. Each import is a snapshot; between two
 * snapshots a filing is added, changed or removed, and those changes are its versions. The
 * standing on a date is read from the snapshot in effect then (the latest one taken at or before
 * it) and the filing's latest version up to that snapshot.
 */
import type { FieldChange, RmdFiling } from "./filing.js";

export interface SnapshotRef {
  importId: string;
  /** When the export was taken: the snapshot describes the RMD from then until the next one. */
  asOf: string;
}

export type ChangeKind = "added" | "changed" | "removed";

export interface FilingVersion {
  number: string;
  importId: string;
  asOf: string;
  change: ChangeKind;
  /** The filing as listed from this snapshot on; for a removal, as it was last listed. */
  filing: RmdFiling;
  /** For a change: the columns that differ from the previous version. */
  changes?: FieldChange[];
}

export type RmdStanding =
  | { state: "no_snapshot" }
  | { state: "never_listed"; snapshot: SnapshotRef }
  | { state: "listed"; snapshot: SnapshotRef; filing: RmdFiling; lastChange: SnapshotRef & { change: "added" | "changed" } }
  | { state: "removed"; snapshot: SnapshotRef; filing: RmdFiling; removedIn: SnapshotRef };

/**
 * The standing of a filing under `snapshot`, from its newest version taken no later than that
 * snapshot (undefined: it had none).
 */
export function standingOf(snapshot: SnapshotRef | undefined, latest: FilingVersion | undefined): RmdStanding {
  if (!snapshot) return { state: "no_snapshot" };
  if (!latest) return { state: "never_listed", snapshot };
  if (latest.asOf > snapshot.asOf) throw new Error(`version of ${latest.number} from ${latest.asOf} is newer than the snapshot of ${snapshot.asOf}`);
  const at = { importId: latest.importId, asOf: latest.asOf };
  if (latest.change === "removed") return { state: "removed", snapshot, filing: latest.filing, removedIn: at };
  return { state: "listed", snapshot, filing: latest.filing, lastChange: { ...at, change: latest.change } };
}

/** The filing a standing refers to, if it was ever listed up to that date. */
export function filingOf(s: RmdStanding): RmdFiling | undefined {
  return s.state === "listed" || s.state === "removed" ? s.filing : undefined;
}
