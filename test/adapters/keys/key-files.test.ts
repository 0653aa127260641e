/** Key files appear whole or not at all, owner-only, and are never overwritten. */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadOrCreateDataKeyFile } from "../../../functions/adapters/keys/data-key-file.js";
import { loadOrCreateHubKeyFile } from "../../../functions/adapters/keys/hub-key-file.js";
import { KeyFileError, readOrCreateKeyFile, writeNewKeyFile } from "../../../functions/adapters/keys/key-file.js";
import { secureDataFolder } from "../../../functions/local/data-folder.js";
import { FileExistsError } from "../../../functions/platform/private-file.js";

const dirs: string[] = [];
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hoptrace-keys-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("key files", () => {
  it("are written owner-only whatever the umask, leaving no temporary file behind", async () => {
    const dir = await folder();
    const previous = process.umask(0);
    try {
      await writeNewKeyFile(join(dir, "nested", "k.json"), '{"k":1}');
    } finally {
      process.umask(previous);
    }
    expect((await stat(join(dir, "nested"))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "nested", "k.json"))).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, "nested"))).toEqual(["k.json"]);
  });

  it("never replace an existing key file", async () => {
    const dir = await folder();
    const path = join(dir, "k.json");
    await writeNewKeyFile(path, "first");
    await expect(writeNewKeyFile(path, "second")).rejects.toBeInstanceOf(FileExistsError);
    expect(await readFile(path, "utf8")).toBe("first");
    expect(await readdir(dir)).toEqual(["k.json"]);
  });

  it("are created once when many starts race, and every one of them reads the same key", async () => {
    const dir = await folder();
    const path = join(dir, "hub-key.private.jwk.json");
    const keys = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateHubKeyFile(path)));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(await readdir(dir)).toEqual(["hub-key.private.jwk.json"]);
    let created = 0;
    const texts = await Promise.all(Array.from({ length: 12 }, (_, i) => readOrCreateKeyFile(join(dir, "other"), () => (created++, `v${i}`))));
    expect(new Set(texts).size).toBe(1);
    expect(created).toBeGreaterThanOrEqual(1);
  });

  it("refuse to start on a key file cut short, naming the file, instead of making a new key", async () => {
    const dir = await folder();
    const path = join(dir, "webhook-secrets.key.json");
    await writeFile(path, '{"kty":"oct","k":"abc');
    await expect(loadOrCreateDataKeyFile(path)).rejects.toThrow(KeyFileError);
    await expect(loadOrCreateDataKeyFile(path)).rejects.toThrow(path);
    expect(await readFile(path, "utf8")).toBe('{"kty":"oct","k":"abc');
    await writeFile(path, '{"kty":"oct","k":"c2hvcnQ"}');
    await expect(loadOrCreateDataKeyFile(path)).rejects.toThrow(/256-bit/);
  });

  it("the data key file is reused across starts", async () => {
    const dir = await folder();
    const path = join(dir, "webhook-secrets.key.json");
    const first = await loadOrCreateDataKeyFile(path);
    expect((await loadOrCreateDataKeyFile(path)).id).toBe(first.id);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ kty: "oct", alg: "A256GCM" });
  });
});

describe("the data folder", () => {
  it("is made owner-only with what the hub keeps in it, and leaves other files alone", async () => {
    const dir = await folder();
    await mkdir(join(dir, "dynamodb", "sub"), { recursive: true });
    for (const [file, mode] of [
      ["dynamodb/000003.log", 0o644],
      ["dynamodb/sub/x", 0o666],
      ["hub-key.private.jwk.json", 0o644],
      ["notes.txt", 0o644],
    ] as const) {
      await writeFile(join(dir, file), "x");
      await chmod(join(dir, file), mode);
    }
    await chmod(dir, 0o755);
    await secureDataFolder(dir);
    const mode = async (p: string) => (await stat(join(dir, p))).mode & 0o777;
    expect(await mode(".")).toBe(0o700);
    expect(await mode("dynamodb")).toBe(0o700);
    expect(await mode("dynamodb/sub")).toBe(0o700);
    expect(await mode("dynamodb/000003.log")).toBe(0o600);
    expect(await mode("dynamodb/sub/x")).toBe(0o600);
    expect(await mode("hub-key.private.jwk.json")).toBe(0o600);
    expect(await mode("notes.txt")).toBe(0o644);
  });
});
