/**
 * Importing an RMD export as a new snapshot: every filing already read and checked, diffed
 * against the snapshot in effect, staged, then committed in one conditional write.
 */
import { isConsortium, type Principal } from "../domain/account.js";
import { ConflictError, ForbiddenError, RuleViolationError } from "../domain/errors.js";
import type { RmdFiling } from "../domain/rmd/filing.js";
import { isMassRemoval, MASS_REMOVAL_SHARE, planSnapshot, versionsOf, type ManifestEntry } from "../domain/rmd/snapshot.js";
import type { SnapshotRef } from "../domain/rmd/standing.js";
import type { RmdImport } from "./rmd-ports.js";
import type { CoreDeps } from "./ports.js";

export interface ImportInput {
  filings: RmdFiling[];
  /** When the export was taken; the snapshot describes the RMD from then on. */
  asOf: string;
  fileSha256: string;
  fileBytes: number;
  /** Accept a snapshot that removes more than a quarter of the previous one. */
  allowMassRemoval?: boolean;
}

/** An export taken this far in the future of the hub's clock is a mistake, not clock skew. */
const MAX_FUTURE_MS = 5 * 60_000;

export function assertCanImport(p: Principal): void {
  if (!isConsortium(p)) throw new ForbiddenError("only the consortium imports the RMD");
}

type ImportDeps = Pick<CoreDeps, "rmd" | "clock" | "ids" | "log">;

export async function importRmdExport(deps: ImportDeps, p: Principal, input: ImportInput): Promise<RmdImport> {
  assertCanImport(p);
  const now = deps.clock.now();
  if (Date.parse(input.asOf) > now.getTime() + MAX_FUTURE_MS)
    throw new RuleViolationError("rmd_as_of_in_future", `asOf ${input.asOf} is in the future`, "/asOf");
  const head = await deps.rmd.head();
  if (head) await repairHeadMark(deps, head);
  if (head && input.asOf <= head.asOf) {
    throw new ConflictError("rmd_snapshot_not_newer", `the snapshot in effect was taken at ${head.asOf}; a new import must be of a later export than that`);
  }
  const previous: ManifestEntry[] | undefined = head ? await deps.rmd.manifest(head.importId) : undefined;
  const id = deps.ids.next("rmd");
  const plan = planSnapshot(previous, input.filings, { importId: id, asOf: input.asOf });
  if (previous && !input.allowMassRemoval && isMassRemoval(previous.length, plan.removed.length)) {
    throw new RuleViolationError(
      "rmd_mass_removal",
      `this export removes ${plan.removed.length} of ${previous.length} filings (more than ${MASS_REMOVAL_SHARE * 100} %): a truncated file? Import it with allowMassRemoval=true if it is meant`,
      "/allowMassRemoval",
    );
  }
  const lastListed = new Map((await deps.rmd.listedVersions(plan.priorOfChanges)).map((v) => [v.number, v.filing]));
  const imp: RmdImport = {
    id,
    asOf: input.asOf,
    status: "staged",
    ...(head && { previousImportId: head.importId }),
    fileSha256: input.fileSha256,
    fileBytes: input.fileBytes,
    filings: input.filings.length,
    added: plan.added.length,
    changed: plan.changed.length,
    removed: plan.removed.length,
    unchanged: plan.unchanged,
    importedAt: now.toISOString(),
    importedBy: p.accountId,
  };
  const versions = versionsOf(plan, { importId: imp.id, asOf: imp.asOf }, lastListed);
  await deps.rmd.stage(
    imp,
    versions,
    plan.manifest,
    plan.removed.flatMap((e) => e.frns.map((frn) => ({ frn, number: e.number }))),
  );
  const committedAt = deps.clock.now().toISOString();
  if (!(await deps.rmd.commit(imp, committedAt))) {
    await deps.rmd.abandon(imp, versions).catch((err) => deps.log.warn("abandoned RMD import left staged items", { importId: imp.id, error: String(err) }));
    throw new ConflictError("rmd_import_conflict", "another RMD import was committed while this one was being written; import the file again");
  }
  deps.log.info("RMD snapshot committed", {
    importId: imp.id,
    asOf: imp.asOf,
    filings: imp.filings,
    added: imp.added,
    changed: imp.changed,
    removed: imp.removed,
  });
  return { ...imp, status: "committed", committedAt };
}

/** The head moves before its import is marked committed; a crash between the two is mended here. */
async function repairHeadMark(deps: ImportDeps, head: SnapshotRef & { committedAt: string }): Promise<void> {
  const imp = await deps.rmd.getImport(head.importId);
  if (imp && imp.status !== "committed") await deps.rmd.markCommitted(imp, head.committedAt);
}
