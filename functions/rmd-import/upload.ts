/**
 * Uploading an RMD export to a hub: the file is read twice, never held whole: once for its
 * Content-Digest (the signature must cover it before the first byte is sent), once streamed as
 * the request body.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { signRequest, type SigningKey } from "../../openapi/client/signing.js";

export interface UploadOptions {
  hub: string;
  key: SigningKey;
  file: string;
  asOf?: string;
  allowMassRemoval?: boolean;
  idempotencyKey?: string;
  /** Bytes read so far, of the total, while hashing and then while sending. */
  onProgress?: (phase: "hashing" | "sending", done: number, total: number) => void;
}

export interface UploadResult {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function uploadRmdExport(opts: UploadOptions): Promise<UploadResult> {
  const total = (await stat(opts.file)).size;
  const hash = createHash("sha256");
  let hashed = 0;
  for await (const chunk of createReadStream(opts.file)) {
    hash.update(chunk as Buffer);
    hashed += (chunk as Buffer).byteLength;
    opts.onProgress?.("hashing", hashed, total);
  }
  const query = new URLSearchParams({ ...(opts.asOf && { asOf: opts.asOf }), ...(opts.allowMassRemoval && { allowMassRemoval: "true" }) }).toString();
  const url = `${opts.hub.replace(/\/$/, "")}/v1/rmd/imports${query ? `?${query}` : ""}`;
  const headers = signRequest(opts.key, {
    method: "POST",
    url,
    headers: new Headers({ "content-type": "text/csv", "idempotency-key": opts.idempotencyKey ?? randomUUID(), "content-length": String(total) }),
    contentDigest: `sha-256=:${hash.digest("base64")}:`,
  });
  let sent = 0;
  const body = Readable.toWeb(
    createReadStream(opts.file).on("data", (chunk) => {
      sent += (chunk as Buffer).byteLength;
      opts.onProgress?.("sending", sent, total);
    }),
  ) as ReadableStream<Uint8Array>;
  const res = await fetch(url, { method: "POST", headers, body, duplex: "half" } as RequestInit);
  const text = await res.text();
  // The hub answers JSON or problem+json; anything else (a proxy's error page) is left as text.
  const json = /^application\/(problem\+)?json/.test(res.headers.get("content-type") ?? "");
  return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : undefined, text };
}
