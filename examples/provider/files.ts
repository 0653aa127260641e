/**
 * Where the quickstart keeps its state: the hub's URL and a folder of small files (the private key
 * and the webhook secret readable by their owner only). Set HOPTRACE_URL and HOPTRACE_EXAMPLE_DIR
 * to change them.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { signingKeyFromJwk, type SigningKey } from "@hoptrace/client";

export const HUB_URL = process.env.HOPTRACE_URL ?? "http://127.0.0.1:8787";
export const DIR = process.env.HOPTRACE_EXAMPLE_DIR ?? ".hoptrace/provider";

export const FILES = {
  privateKey: join(DIR, "provider.private.jwk.json"),
  registration: join(DIR, "registration.json"),
  webhookSecret: join(DIR, "webhook-secret.txt"),
};

/** Writes a secret readable by its owner only (0600), also when the file already existed. */
export async function writeSecret(file: string, content: string, opts: { overwrite: boolean }): Promise<void> {
  await mkdir(DIR, { recursive: true, mode: 0o700 });
  await writeFile(file, content, { mode: 0o600, flag: opts.overwrite ? "w" : "wx" });
  await chmod(file, 0o600);
}

export async function writePublic(file: string, value: unknown): Promise<void> {
  await mkdir(DIR, { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, "utf8")) as T;
}

/** The provider's own signing key, made by 01-make-key.ts. */
export async function providerKey(): Promise<SigningKey> {
  return signingKeyFromJwk(await readJson(FILES.privateKey));
}
