/**
 * dynalite 4 reads its LevelDB through streams over abstract-level 3 iterators and, when a
 * stream ends or a Query stops at its Limit, releases the iterator by calling `iterator.return()`
 * if there is one. abstract-level 3 iterators have `close()` and no `return()`, so no iterator was
 * ever released: each one kept its LevelDB snapshot (memtables and table files that could no
 * longer be freed) and its place in the database's resource set, and the process grew by tens of
 * megabytes per thousand queries, outside the JS heap. Giving the iterators the `return()` an
 * async iterator has, closing them, lets dynalite release what it reads.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const fromDynalite = createRequire(require.resolve("dynalite"));
// The copies of abstract-level dynalite's own backends (LevelDB on disk, memory) are built on.
const backends = [createRequire(fromDynalite.resolve("level")).resolve("classic-level"), fromDynalite.resolve("memory-level")];

for (const backend of backends) {
  const { AbstractIterator } = createRequire(backend)("abstract-level") as { AbstractIterator: { prototype: object } };
  // Keys, values and entries iterators share this prototype.
  const common = Object.getPrototypeOf(AbstractIterator.prototype) as { return?: unknown; close(): Promise<void> };
  if (typeof common.return === "function") continue;
  Object.defineProperty(common, "return", {
    configurable: true,
    writable: true,
    value: async function (this: { close(): Promise<void> }) {
      await this.close();
      return { done: true, value: undefined };
    },
  });
}
