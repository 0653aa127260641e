/**
 * The local data folder holds the table's files and the key files: they are their owner's alone.
 * The folder and the table's folders are 0700, the files 0600, including what an earlier version
 * left readable to others. Only what the hub keeps there is touched (the folder may be shared
 * with other things), and symbolic links are left alone (chmod would follow them).
 */
import { chmod, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";

/** What the hub keeps in its data folder. */
export const DATA_FOLDER = {
  table: "dynamodb",
  hubKey: "hub-key.private.jwk.json",
  secretsKey: "webhook-secrets.key.json",
  consortiumKey: "consortium.private.jwk.json",
} as const;

export async function secureDataFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await restrict(join(dir, DATA_FOLDER.table), "folder");
  for (const file of [DATA_FOLDER.hubKey, DATA_FOLDER.secretsKey, DATA_FOLDER.consortiumKey]) await restrict(join(dir, file), "file");
}

async function restrict(path: string, kind: "file" | "folder"): Promise<void> {
  try {
    await chmod(path, kind === "folder" ? 0o700 : 0o600);
    if (kind === "file") return;
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (entry.isDirectory() || entry.isFile()) await restrict(join(path, entry.name), entry.isDirectory() ? "folder" : "file");
    }
  } catch (err) {
    // Not created yet, or a file LevelDB has just compacted away.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
