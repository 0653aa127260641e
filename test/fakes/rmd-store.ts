/**
 * RMD imports in memory: the RmdStore contract. Staged imports stay invisible until the head
 * moves to them, and only from the snapshot they were diffed against.
 */
import type { ManifestEntry } from "../../functions/domain/rmd/snapshot.js";
import type { ChangeKind, FilingVersion, SnapshotRef } from "../../functions/domain/rmd/standing.js";
import type { Page, PageRequest } from "../../functions/usecases/ports.js";
import type { RmdHead, RmdImport, RmdStore } from "../../functions/usecases/rmd-ports.js";
import { copy, pageOf } from "./paging.js";

const versionKey = (v: Pick<FilingVersion, "number" | "asOf" | "importId">) => `${v.number}#${v.asOf}#${v.importId}`;
const snapshotKey = (v: { asOf: string; importId: string }) => `${v.asOf}#${v.importId}`;

export class MemoryRmdStore implements RmdStore {
  private current?: RmdHead;
  private readonly imports = new Map<string, RmdImport>();
  private readonly versions = new Map<string, FilingVersion>();
  private readonly manifests = new Map<string, ManifestEntry[]>();
  private readonly removed = new Map<string, Set<string>>();

  async head(): Promise<RmdHead | undefined> {
    return this.current && copy(this.current);
  }

  async getImport(importId: string): Promise<RmdImport | undefined> {
    const i = this.imports.get(importId);
    return i && copy(i);
  }

  private committedImports(): RmdImport[] {
    return [...this.imports.values()].filter((i) => i.status === "committed");
  }

  async listImports(page: PageRequest): Promise<Page<RmdImport>> {
    return pageOf(
      "rmd-imports",
      this.committedImports().map((i) => ({ sk: snapshotKey({ asOf: i.asOf, importId: i.id }), value: i })),
      page,
    );
  }

  async snapshotAt(at: string): Promise<SnapshotRef | undefined> {
    const head = this.current;
    if (!head || head.asOf <= at) return head && { importId: head.importId, asOf: head.asOf };
    const taken = this.committedImports()
      .filter((i) => i.asOf <= at)
      .sort((a, b) => (snapshotKey({ asOf: a.asOf, importId: a.id }) < snapshotKey({ asOf: b.asOf, importId: b.id }) ? 1 : -1))[0];
    return taken && { importId: taken.id, asOf: taken.asOf };
  }

  async manifest(importId: string): Promise<ManifestEntry[]> {
    return copy(this.manifests.get(importId) ?? []);
  }

  async listedVersions(entries: readonly ManifestEntry[]): Promise<FilingVersion[]> {
    const found = entries.flatMap((e) => {
      const v = this.versions.get(versionKey({ number: e.number, asOf: e.listedIn.asOf, importId: e.listedIn.importId }));
      return v ? [copy(v)] : [];
    });
    if (found.length !== entries.length) throw new Error(`${entries.length - found.length} versions a committed manifest points at are missing`);
    return found;
  }

  /** Committed: marked so, or the head (a crash can fall between moving the head and marking its import). */
  private isCommitted(importId: string): boolean {
    const imp = this.imports.get(importId);
    return imp?.status === "committed" || (imp?.status === "staged" && this.current?.importId === importId);
  }

  /** A filing's committed versions, oldest first. */
  private committedVersionsOf(number: string): FilingVersion[] {
    return [...this.versions.values()]
      .filter((v) => v.number === number && this.isCommitted(v.importId))
      .sort((a, b) => (snapshotKey(a) < snapshotKey(b) ? -1 : 1));
  }

  async latestVersion(number: string, notAfter: SnapshotRef): Promise<FilingVersion | undefined> {
    const v = this.committedVersionsOf(number)
      .filter((x) => x.asOf <= notAfter.asOf)
      .at(-1);
    return v && copy(v);
  }

  async versionsOf(number: string, max: number): Promise<FilingVersion[]> {
    return this.committedVersionsOf(number).slice(0, max).map(copy);
  }

  async removedWithFrn(frn: string): Promise<string[]> {
    return [...(this.removed.get(frn) ?? [])].sort();
  }

  async listChanges(importId: string, page: PageRequest, kind?: ChangeKind): Promise<Page<FilingVersion>> {
    const rows = [...this.versions.values()]
      .filter((v) => v.importId === importId && (kind === undefined || v.change === kind))
      .map((v) => ({ sk: `${v.change}#${v.number}`, value: v }));
    return pageOf(`rmd-changes#${importId}#${kind ?? ""}`, rows, page, { ascending: true });
  }

  async stage(imp: RmdImport, versions: FilingVersion[], manifest: ManifestEntry[], removedFrns: Array<{ frn: string; number: string }>): Promise<void> {
    if (!this.imports.has(imp.id)) this.imports.set(imp.id, copy(imp));
    for (const v of versions) this.versions.set(versionKey(v), copy(v));
    for (const r of removedFrns) this.removed.set(r.frn, (this.removed.get(r.frn) ?? new Set()).add(r.number));
    this.manifests.set(imp.id, copy(manifest));
  }

  async commit(imp: RmdImport, committedAt: string): Promise<boolean> {
    const moves = imp.previousImportId ? this.current?.importId === imp.previousImportId : this.current === undefined;
    if (moves) this.current = { importId: imp.id, asOf: imp.asOf, committedAt };
    else if (this.current?.importId !== imp.id) return false;
    await this.markCommitted(imp, committedAt);
    return true;
  }

  async markCommitted(imp: RmdImport, committedAt: string): Promise<void> {
    const held = this.imports.get(imp.id);
    if (!held) throw new Error(`import ${imp.id} was never staged`);
    this.imports.set(imp.id, { ...held, status: "committed", committedAt: held.committedAt ?? committedAt });
  }

  async abandon(imp: RmdImport, versions: FilingVersion[]): Promise<void> {
    const held = this.imports.get(imp.id);
    if (held?.status !== "staged") throw new Error(`import ${imp.id} is not staged`);
    this.imports.set(imp.id, { ...held, status: "abandoned" });
    for (const v of versions) this.versions.delete(versionKey(v));
  }
}
