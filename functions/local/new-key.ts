/**
 * `npm run keys:new -- <file>`: writes a new Ed25519 private JWK to <file> (owner-only, never over
 * an existing file) and prints the public JWK and its keyid, to register with Hoptrace or to give
 * as CONSORTIUM_PUBLIC_JWK.
 */
import { writeNewKeyFile } from "../adapters/keys/key-file.js";
import { generateSigningKey } from "../crypto/keys.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: npm run keys:new -- <private-key-file.json>");
  process.exit(2);
}
const key = await generateSigningKey();
try {
  await writeNewKeyFile(file, JSON.stringify(key.privateJwk, null, 2));
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  console.error(`${file} exists already; a key file is never overwritten`);
  process.exit(1);
}
console.log(JSON.stringify({ keyId: key.kid, publicJwk: key.publicJwk, privateKeyFile: file }, null, 2));
