/**
 * `npm run keys:new -- [--account-id <id>] <file>`: a new Ed25519 key. The private JWK goes to
 * <file>, owner-only and never over an existing file; printed are the public JWK and its key id,
 * to register with Hoptrace or to give as CONSORTIUM_PUBLIC_JWK, and with --account-id the proof
 * of possession that registers the key to that account. The command line is read before the
 * crypto modules are loaded, so `--help` and a mistyped option answer at once.
 */
import { readCommandLine } from "../platform/cli.js";

const HELP = `Usage: npm run keys:new -- [options] <private-key-file.json>

Makes a new Ed25519 signing key and writes its private JWK to the file, readable by its owner
only (mode 0600). An existing file is never replaced. Prints, as JSON: the key id (the RFC 7638
thumbprint, the keyid of your signatures), the public JWK to register (or to start the hub with as
CONSORTIUM_PUBLIC_JWK) and, with --account-id, the key's proof of possession for that account.

Options:
  --account-id <id>  also make the proof that registers this key to the account <id>
                     (hoptrace-key-proof-v1); "new" chooses a fresh id (acc_ and a ULID)
  -h, --help         this text

Exit status: 0 when the key was written, 1 when the file exists or cannot be written, 2 on bad
options.`;

const cli = readCommandLine(process.argv.slice(2), HELP, { "account-id": { type: "string" } }, { positionals: 1 });
const file = cli.positionals[0] ?? cli.fail("name the file to write the private key to");
// A name like "-x" is almost always an option given in the wrong place; "./-x" still works.
if (file.startsWith("-")) cli.fail(`${JSON.stringify(file)} looks like an option, not a file name; write ./${file} if you mean it`);
const given = cli.values["account-id"];
if (given !== undefined && (given === "" || /[\r\n]/.test(given))) cli.fail("--account-id takes an account id on one line");

const [{ signKeyProof }, { generateSigningKey }, { FileExistsError, whyNotWritten, writePrivateFile }, { newAccountId }] = await Promise.all([
  import("../crypto/key-proof.js"),
  import("../crypto/keys.js"),
  import("../platform/private-file.js"),
  import("../../openapi/client/registration.js"),
]);
const accountId = given === "new" ? newAccountId() : given;

const key = await generateSigningKey();
try {
  await writePrivateFile(file, `${JSON.stringify(key.privateJwk, null, 2)}\n`, { replace: false });
} catch (err) {
  console.error(
    err instanceof FileExistsError
      ? `${file} already exists: not replaced. Choose another name, or remove it first.`
      : `cannot write ${file}: ${whyNotWritten(err, file)}`,
  );
  process.exit(1);
}
console.log(
  JSON.stringify(
    {
      keyId: key.kid,
      publicJwk: key.publicJwk,
      privateKeyFile: file,
      ...(accountId !== undefined && { accountId, proof: signKeyProof(key.privateKey, accountId, key.kid) }),
    },
    null,
    2,
  ),
);
