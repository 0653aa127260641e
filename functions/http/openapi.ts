/** Document-level parts of the contract: info, servers, the signature security scheme. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env.js";

const SIGNATURE_DESCRIPTION = `Every request under /v1 is signed with HTTP Message Signatures (RFC 9421) using an Ed25519 key registered for the calling account.

- Covered components: \`"@method" "@target-uri"\`; for requests with a body also \`"content-type" "content-digest"\`, and \`"idempotency-key"\` when present.
- Parameters: \`created\` and \`expires\` (sf-integers, Unix seconds; \`expires\` at most 300 s after \`created\`), \`keyid\` (the RFC 7638 JWK thumbprint of the key), \`alg="ed25519"\`, \`tag="hoptrace-v1"\`, and \`nonce\` (a fresh random string for every request; the bundled client always sends one).
- The \`Signature-Input\` member is the \`@signature-params\` exactly as sent, and must be its RFC 8941 serialisation, as RFC 9421 builds the signature base (so not \`created=1.0\`, no extra spaces).
- \`@target-uri\` is the public URL of the API followed by the path and query.
- \`Content-Digest: sha-256=:<base64>:\` (RFC 9530) over the exact body bytes.
- Clock skew of 60 s is tolerated. A signature is accepted once, and Ed25519 signatures are deterministic: two identical requests (same method, URI, headers, body and \`created\` second) signed without a \`nonce\` carry the same signature, and the second is refused as a replay. A signature counts as used only once the whole request verified, Content-Digest included.
- Verification is strict: S < L, and neither R nor the public key of small order.
- Any failure is 401 \`unauthenticated\` without saying which check failed.`;

export const documentConfig = {
  openapi: "3.1.0",
  info: {
    title: "Hoptrace",
    version: "1.0.0",
    description:
      "Inter-provider robocall traceback API. A traceback follows one captured call back, provider by provider: each hop request asks one provider which provider handed it the call, until the originating provider names its customer, a provider fails to answer, or the call is found to have entered from abroad.\n\nErrors are RFC 9457 problem details with a stable `code` and a `request_id`. Every POST requires an `Idempotency-Key`. Lists use cursor pagination (`limit`, `cursor`, `nextCursor`).",
    license: { name: "Apache-2.0", identifier: "Apache-2.0" },
  },
  servers: [{ url: "http://127.0.0.1:8787", description: "Embedded local server" }],
  tags: [
    { name: "Providers", description: "Voice providers taking part in tracebacks." },
    { name: "Initiators", description: "Who start tracebacks: the consortium, the FCC, law enforcement, state attorneys general." },
    { name: "Keys", description: "Ed25519 request-signing keys of an account." },
    { name: "Tracebacks", description: "One captured call followed back hop by hop." },
    { name: "Hop requests", description: "The questions addressed to a provider, and its answers." },
    { name: "Persons", description: "People with keys of their own: invitations, enrolment of a browser's key, who is signed in." },
    {
      name: "Transparency log",
      description: "The append-only Merkle log of every statement: signed checkpoints and proofs, public and unsigned, checkable by anyone.",
    },
  ],
};

const ENROLMENT_DESCRIPTION = `An enrolment is signed exactly like every other request (see \`httpSignature\`), but by the key it registers, which is not registered yet: \`keyid\` is the RFC 7638 thumbprint of the \`publicJwk\` in the body, and the signature is verified with that key. The invitation token in the path is the credential that admits it.`;

export function registerSecurity(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "httpSignature", {
    type: "apiKey",
    in: "header",
    name: "Signature",
    description: SIGNATURE_DESCRIPTION,
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "enrolmentSignature", {
    type: "apiKey",
    in: "header",
    name: "Signature",
    description: ENROLMENT_DESCRIPTION,
  });
}
