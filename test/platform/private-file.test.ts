import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileExistsError, whyNotWritten, writePrivateFile } from "../../functions/platform/private-file.js";

describe("private files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hoptrace-private-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("are owner-only and, without replace, taken by exactly one of many racing writers", async () => {
    const path = join(dir, "key.json");
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => writePrivateFile(path, `writer ${i}\n`, { replace: false })));
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(FileExistsError);
    expect(await readFile(path, "utf8")).toBe(`writer ${won[0]}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["key.json"]);
  });

  it("with replace, put the new bytes in place whole and owner-only, whatever the old file's mode", async () => {
    const path = join(dir, "state.json");
    await writeFile(path, "old\n", { mode: 0o644 });
    await chmod(path, 0o644);
    await writePrivateFile(path, "new\n", { replace: true });
    expect(await readFile(path, "utf8")).toBe("new\n");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("say what stopped a write in terms of the path asked for", async () => {
    const path = join(dir, "missing", "key.json");
    const err = await writePrivateFile(path, "x", { replace: false }).catch((e: unknown) => e);
    expect(whyNotWritten(err, path)).toBe(`there is no folder ${join(dir, "missing")}`);
  });
});
