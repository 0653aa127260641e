/**
 * The bench's emulators in a process of their own (dynalite and local-aws-sqs, in memory), so
 * the hub's CPU is measured apart from theirs. Every item write dynalite applies is billed here
 * as DynamoDB would bill it, table and each global secondary index from the real item images
 * and the index's projection (write-units.ts): the hub cannot see the images, dynalite can.
 */
import { createRequire } from "node:module";
import { startEmulators } from "../../../functions/local/emulators.js";
import { serveParent, toParent } from "./ipc.js";
import { writeUnits, type IndexDefinition, type Item } from "./write-units.js";

interface Table {
  TableName: string;
  KeySchema: Array<{ AttributeName: string }>;
  GlobalSecondaryIndexes?: IndexDefinition[];
}
type UpdateIndexes = (store: unknown, table: Table, existing: Item | null, item: Item | null, cb: (err?: unknown) => void) => void;

const db = createRequire(import.meta.url)("dynalite/db/index.js") as { updateIndexes: UpdateIndexes; itemSize: (item: Item) => number };

const empty = () => ({ writes: 0, table: 0, byIndex: {} as Record<string, number> });
let billed = empty();
const applied = db.updateIndexes;
db.updateIndexes = (store, table, existing, item, cb) => {
  const u = writeUnits(
    db.itemSize,
    table.KeySchema.map((k) => k.AttributeName),
    table.GlobalSecondaryIndexes ?? [],
    existing ?? null,
    item ?? null,
  );
  billed.writes++;
  billed.table += u.table;
  for (const [name, n] of Object.entries(u.byIndex)) billed.byIndex[name] = (billed.byIndex[name] ?? 0) + n;
  applied(store, table, existing, item, cb);
};

const emulators = await startEmulators();
serveParent(
  {
    units: () => ({ billed }),
    reset: () => {
      billed = empty();
      return {};
    },
    cpu: () => ({ cpu: process.cpuUsage() }),
  },
  () => emulators.stop(),
);
const { stop: _stop, ...endpoints } = emulators;
toParent({ type: "ready", ...endpoints });
