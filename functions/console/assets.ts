/**
 * The built console (see build.ts), read once into memory. The page is rendered for the API's
 * public URL: its <base> is the console's path under it, so relative links and assets keep
 * working behind an API Gateway stage path, and its meta tag tells the script which URL to sign
 * requests for.
 *
 * From the source the build is in ./dist; in the Lambda bundle, which is one file, the bundling
 * hook puts it in dist/ beside that file. Either way it is `dist` next to this module's code.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CONSOLE_DIST = join(dirname(fileURLToPath(import.meta.url)), "dist");

export interface ConsoleAsset {
  body: Uint8Array;
  contentType: string;
}

export interface ConsoleAssets {
  /** The page, for every path of the console. */
  page(publicUrl: string): string;
  /** A hashed asset by its file name, or undefined. */
  asset(name: string): ConsoleAsset | undefined;
}

const TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function loadConsoleAssets(dir = CONSOLE_DIST): Promise<ConsoleAssets> {
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { js: { file: string }; css: { file: string } };
  const template = await readFile(join(dir, "index.html"), "utf8");
  const assets = new Map<string, ConsoleAsset>();
  for (const file of [manifest.js.file, manifest.css.file]) {
    assets.set(file, {
      body: new Uint8Array(await readFile(join(dir, "assets", file))),
      contentType: TYPES[file.split(".").pop()!] ?? "application/octet-stream",
    });
  }
  return {
    page(publicUrl) {
      const api = publicUrl.replace(/\/$/, "");
      const base = `${new URL(api).pathname.replace(/\/$/, "")}/console/`;
      return template.replace("%BASE%", escapeAttribute(base)).replace("%API%", escapeAttribute(api));
    },
    asset: (name) => assets.get(name),
  };
}
