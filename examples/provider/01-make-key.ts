/**
 * Step 1 (the provider): make an Ed25519 key, choose the account id, and sign the proof that the
 * key is yours for that account. The private key stays in a 0600 file; registration.json (the id,
 * the public key and the proof, nothing secret) goes to the consortium.
 *
 *   npx tsx examples/provider/01-make-key.ts
 */
import { newSigningKey, registrationRequest } from "@hoptrace/client";
import { FILES, writePublic, writeSecret } from "./files.js";

const { key, privateJwk } = await newSigningKey();
try {
  await writeSecret(FILES.privateKey, `${JSON.stringify(privateJwk, null, 2)}\n`, { overwrite: false });
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  console.error(`${FILES.privateKey} exists already: this provider has a key. Remove the folder to start over.`);
  process.exit(1);
}
const registration = registrationRequest(key);
await writePublic(FILES.registration, registration);
console.log(JSON.stringify({ accountId: registration.id, keyId: key.keyId, privateKeyFile: FILES.privateKey, registrationFile: FILES.registration }, null, 2));
