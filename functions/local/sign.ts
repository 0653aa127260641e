/**
 * `npm run sign -- METHOD URL [--body file] [--key file]`: prints the headers that sign one request
 * to Hoptrace, made by @hoptrace/client's signer, for curl (`curl -H @headers.txt`) or any other
 * tool; `--curl` prints the whole curl command. A signature is accepted once and for a minute
 * (`--lifetime`, at most 300 s), so sign each request just before sending it. The command line is
 * read before the signer is loaded, so `--help` and a mistyped option answer at once.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

const DEFAULT_KEY = ".data/consortium.private.jwk.json";
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

const USAGE = `usage: npm run sign -- METHOD URL [options]

Prints the signed headers of one request (RFC 9421 with a fresh nonce, Content-Digest, an
Idempotency-Key for POST), one "Name: value" a line, for curl -H @file.

  METHOD                    ${METHODS.join(", ")}
  URL                       the full URL, as the request will be sent (it is signed)
  -b, --body <file>         the body to send (POST, PUT and PATCH without one sign an empty body)
  -k, --key <file>          the private JWK to sign with (default ${DEFAULT_KEY})
  --idempotency-key <key>   for a POST; a random UUID by default
  --content-type <type>     of the body (default application/json)
  --lifetime <seconds>      how long the signature is valid (default 60, at most 300)
  --curl                    print the whole curl command instead of the headers
  -h, --help                this text

  npm run -s sign -- GET http://127.0.0.1:8787/v1/me > headers.txt
  curl -H @headers.txt http://127.0.0.1:8787/v1/me`;

class UsageError extends Error {}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        body: { type: "string", short: "b" },
        key: { type: "string", short: "k" },
        "idempotency-key": { type: "string" },
        "content-type": { type: "string" },
        lifetime: { type: "string" },
        curl: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [rawMethod, url, ...extra] = positionals;
  if (!rawMethod || !url || extra.length > 0) throw new UsageError("give a METHOD and a URL");
  const method = rawMethod.toUpperCase();
  if (!METHODS.includes(method)) throw new UsageError(`METHOD is one of ${METHODS.join(", ")}`);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError("URL must be an absolute http or https URL");
  const lifetimeSeconds = values.lifetime === undefined ? 60 : Number(values.lifetime);
  if (!Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > 300) throw new UsageError("--lifetime is whole seconds from 1 to 300");
  if (values.body !== undefined && !BODY_METHODS.has(method)) throw new UsageError(`--body goes with ${[...BODY_METHODS].join(", ")}`);

  const { signingKeyFromJwk, signRequest } = await import("../../openapi/client/index.js");
  const keyFile = values.key ?? DEFAULT_KEY;
  let key;
  try {
    key = await signingKeyFromJwk(JSON.parse(await readFile(keyFile, "utf8")));
  } catch (error) {
    console.error(`cannot sign with ${keyFile}: ${(error as Error).message} (give a private Ed25519 JWK with --key)`);
    return 1;
  }
  let body: Uint8Array | undefined;
  if (values.body !== undefined) {
    try {
      body = new Uint8Array(await readFile(values.body));
    } catch (error) {
      console.error(`cannot read the body: ${(error as Error).message}`);
      return 1;
    }
  } else if (BODY_METHODS.has(method)) body = new Uint8Array(0);

  const headers = new Headers();
  if (body) headers.set("content-type", values["content-type"] ?? "application/json");
  if (method === "POST") headers.set("idempotency-key", values["idempotency-key"] ?? randomUUID());
  const signed = signRequest(key, { method, url, headers, ...(body && { body }) }, { lifetimeSeconds });

  const lines = [...signed.entries()].map(([name, value]) => `${name}: ${value}`);
  if (values.curl) {
    const parts = ["curl", "-sS", "-X", method, shellQuote(url), ...lines.flatMap((line) => ["-H", shellQuote(line)])];
    if (body) parts.push("--data-binary", values.body === undefined ? "''" : shellQuote(`@${values.body}`));
    console.log(parts.join(" "));
  } else {
    console.log(lines.join("\n"));
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  },
);
