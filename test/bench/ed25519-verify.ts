/**
 * `npx tsx test/bench/ed25519-verify.ts [iterations]`: what strict Ed25519 costs per signed
 * request. Compares Node's verify alone, the hub's strict verify (byte checks plus Node's verify),
 * @noble/curves' strict verify, and the key import with its subgroup check, cold and cached.
 */
import { sign, verify } from "node:crypto";
import { integerOption, readCommandLine } from "../../functions/platform/cli.js";

const HELP = `Usage: npx tsx test/bench/ed25519-verify.ts [iterations]

What strict Ed25519 costs per signed request, in microseconds per call over <iterations> calls
(default 2000): Node's verify alone, the hub's strict verify, @noble/curves' strict verify, and a
public key import with its subgroup check, for a key seen before and for a new one.

Options:
  -h, --help  this text`;

const cli = readCommandLine(process.argv.slice(2), HELP, {}, { positionals: 1 });
const iterations = integerOption(cli, "<iterations>", cli.positionals[0], 2000, 1, 10_000_000);
// Loaded once the command line is read, so --help and a mistyped option answer at once.
const [{ ed25519 }, { verifyStrict }, { generateSigningKey, importPublicJwk }] = await Promise.all([
  import("@noble/curves/ed25519.js"),
  import("../../functions/crypto/ed25519.js"),
  import("../../functions/crypto/keys.js"),
]);
const WARM_UP = 100;
const keys = await Promise.all(Array.from({ length: WARM_UP + iterations }, () => generateSigningKey()));
const key = keys[0]!;
const message = Buffer.from("x".repeat(400));
const signature = sign(null, message, key.privateKey);
const x = Buffer.from(key.publicJwk.x, "base64url");

function microseconds(name: string, run: (i: number) => unknown): void {
  for (let i = 0; i < WARM_UP; i++) run(i);
  const start = process.hrtime.bigint();
  for (let i = WARM_UP; i < WARM_UP + iterations; i++) run(i);
  const perCall = Number(process.hrtime.bigint() - start) / iterations / 1000;
  console.log(`${name.padEnd(52)} ${perCall.toFixed(1).padStart(8)} µs`);
}

console.log(`${iterations} iterations, Node ${process.version}`);
microseconds("node:crypto verify (no strictness)", () => verify(null, message, key.publicKey, signature));
microseconds("verifyStrict (S < L, R and A byte checks + node)", () => verifyStrict(message, signature, key.publicKey));
microseconds("@noble/curves ed25519.verify (strict, pure JS)", () => ed25519.verify(signature, message, x));
importPublicJwk(key.publicJwk);
microseconds("importPublicJwk, a key seen before (cached)", () => importPublicJwk(key.publicJwk));
microseconds("importPublicJwk, a new key (subgroup check)", (i) => importPublicJwk(keys[i]!.publicJwk));
