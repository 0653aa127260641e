/**
 * `npm run keys:new -- <file>`: writes a new Ed25519 private JWK to <file> (owner-only) and prints
 * the public JWK and its keyid, to register with Hoptrace or to give as CONSORTIUM_PUBLIC_JWK.
 */
import { writeFile } from "node:fs/promises";
import { generateSigningKey } from "../crypto/keys.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: npm run keys:new -- <private-key-file.json>");
  process.exit(2);
}
const key = await generateSigningKey();
await writeFile(file, JSON.stringify(key.privateJwk, null, 2), { mode: 0o600, flag: "wx" });
console.log(JSON.stringify({ keyId: key.kid, publicJwk: key.publicJwk, privateKeyFile: file }, null, 2));
