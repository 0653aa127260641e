/**
 * How RMD snapshots are laid out in items. A filing version is a few hundred bytes, and an import
 * writes thousands of them: one item each would cost a write unit per filing (two with an index
 * copy) and a request per 25. So an import's versions are packed in pages, one per block of ten
 * filing numbers (the RMD numbers its filings share but for the last digit), compressed: a block's
 * history stays one short Query, and the first import of 10,000 filings is about a thousand small
 * items. What an import changed is listed, in order, in a few items of its own.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { RMD_COLUMNS, type FieldChange, type RmdColumn, type RmdFiling } from "../../domain/rmd/filing.js";
import type { ManifestEntry } from "../../domain/rmd/snapshot.js";
import type { ChangeKind, FilingVersion } from "../../domain/rmd/standing.js";

/** Compressed bytes per item: well under DynamoDB's 400 KB item limit, keys and attributes included. */
const MAX_BODY_BYTES = 300_000;

/** The block of ten filing numbers a filing's versions are paged with. */
export const blockOf = (number: string): string => number.slice(0, -1);

export interface VersionPage {
  block: string;
  asOf: string;
  importId: string;
  /** Pages of one block and import are split in parts only when they would not fit an item. */
  part: number;
  parts: number;
  body: Uint8Array;
}

/** A version without what its page says for all of them: number, change, the export's cells, changed columns. */
type EncodedVersion = [string, ChangeKind, Array<string | null>, Array<[number, string | null, string | null]>?];

/** The pages of one import's versions (all of the same import). */
export function versionPages(versions: readonly FilingVersion[]): VersionPage[] {
  const blocks = new Map<string, FilingVersion[]>();
  for (const v of versions) {
    const block = blocks.get(blockOf(v.number));
    if (block) block.push(v);
    else blocks.set(blockOf(v.number), [v]);
  }
  const pages: VersionPage[] = [];
  for (const [block, members] of blocks) {
    members.sort((a, b) => (a.number < b.number ? -1 : 1));
    const bodies = splitToFit(members.map(encodeVersion), (part) => gzipSync(JSON.stringify(part)));
    const { asOf, importId } = members[0]!;
    pages.push(...bodies.map((body, part) => ({ block, asOf, importId, part, parts: bodies.length, body })));
  }
  return pages;
}

export function readPage(page: { importId: string; asOf: string; body: Uint8Array }): FilingVersion[] {
  return (JSON.parse(gunzipSync(page.body).toString("utf8")) as EncodedVersion[]).map(([number, change, cells, changes]) => ({
    number,
    importId: page.importId,
    asOf: page.asOf,
    change,
    filing: decodeFiling(cells),
    ...(changes && { changes: changes.map(decodeChange) }),
  }));
}

function encodeVersion(v: FilingVersion): EncodedVersion {
  const cells = RMD_COLUMNS.map((c) => v.filing[c] ?? null);
  if (!v.changes) return [v.number, v.change, cells];
  return [v.number, v.change, cells, v.changes.map((c) => [RMD_COLUMNS.indexOf(c.field), c.before ?? null, c.after ?? null])];
}

function decodeFiling(cells: Array<string | null>): RmdFiling {
  const filing: Partial<Record<RmdColumn, string>> = {};
  cells.forEach((value, i) => {
    if (value !== null) filing[RMD_COLUMNS[i]!] = value;
  });
  return filing as RmdFiling;
}

function decodeChange([column, before, after]: [number, string | null, string | null]): FieldChange {
  return { field: RMD_COLUMNS[column]!, ...(before !== null && { before }), ...(after !== null && { after }) };
}

/** A manifest item: the snapshots its entries point at, and each entry with the index of its snapshot. */
interface EncodedManifest {
  listedIn: Array<[string, string]>;
  entries: Array<[string, string, string, string, number]>;
}

export function manifestChunks(manifest: readonly ManifestEntry[]): Uint8Array[] {
  return splitToFit([...manifest], (entries) => gzipSync(JSON.stringify(encodeManifest(entries))));
}

function encodeManifest(entries: readonly ManifestEntry[]): EncodedManifest {
  const encoded: EncodedManifest = { listedIn: [], entries: [] };
  const refs = new Map<string, number>();
  for (const e of entries) {
    let ref = refs.get(e.listedIn.importId);
    if (ref === undefined) {
      ref = encoded.listedIn.push([e.listedIn.importId, e.listedIn.asOf]) - 1;
      refs.set(e.listedIn.importId, ref);
    }
    encoded.entries.push([e.number, e.digest, e.frns.join(" "), e.nameKeys.join("|"), ref]);
  }
  return encoded;
}

export function readManifestChunk(body: Uint8Array): ManifestEntry[] {
  const chunk = JSON.parse(gunzipSync(body).toString("utf8")) as EncodedManifest;
  const listedIn = chunk.listedIn.map(([importId, asOf]) => ({ importId, asOf }));
  return chunk.entries.map(([number, digest, frns, names, ref]) => ({
    number,
    digest,
    frns: frns ? frns.split(" ") : [],
    nameKeys: names ? names.split("|") : [],
    listedIn: listedIn[ref]!,
  }));
}

/** What an import changed, as `<kind>#<number>`, in the order the changes are listed. */
export function changeListChunks(versions: readonly FilingVersion[]): Uint8Array[] {
  const list = versions.map((v) => changeKey(v.change, v.number)).sort();
  return splitToFit(list, (part) => gzipSync(JSON.stringify(part)));
}

export const readChangeListChunk = (body: Uint8Array): string[] => JSON.parse(gunzipSync(body).toString("utf8")) as string[];

export const changeKey = (kind: ChangeKind, number: string): string => `${kind}#${number}`;

/**
 * `items` encoded by `encode` in as few bodies as fit an item, halving what does not (a page's
 * versions, a manifest's entries, a change list's keys); no items at all give one body of none.
 */
function splitToFit<T>(items: T[], encode: (items: T[]) => Uint8Array): Uint8Array[] {
  const body = encode(items);
  if (body.byteLength <= MAX_BODY_BYTES) return [body];
  if (items.length === 1) throw new Error(`an RMD item of ${body.byteLength} compressed bytes does not fit a DynamoDB item`);
  const half = Math.ceil(items.length / 2);
  return [...splitToFit(items.slice(0, half), encode), ...splitToFit(items.slice(half), encode)];
}
