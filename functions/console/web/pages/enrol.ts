/**
 * Enrolment from an invitation link (`enrol#token=…`): the browser makes the person's key,
 * signs the proof naming the invited account, and registers the key with a request signed by
 * that key. The token travels in the fragment, so it never reaches a server log.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, publicJson, signedJson } from "../api.js";
import { html } from "../html.js";
import { loadIdentity, saveIdentity, type Identity } from "../keystore.js";
import { navigate } from "../router.js";
import { generateKey, keyProof } from "../signer.js";
import { Field, KeyValues, Loading, Page, ProblemBox, Time, described } from "../ui.js";

interface Enrolment {
  accountId: string;
  accountName: string;
  accountKind: "consortium" | "provider" | "initiator";
  name: string;
  email: string;
  role: string;
  expiresAt: string;
}

interface KeyRecord {
  keyId: string;
  accountId: string;
  accountKind: Enrolment["accountKind"];
  label?: string;
  createdAt: string;
  person?: { name: string; email: string; role: string };
}

function tokenOfLocation(): string | undefined {
  return new URLSearchParams(location.hash.slice(1)).get("token") ?? undefined;
}

export function EnrolPage() {
  const [token] = useState(tokenOfLocation);
  const [offer, setOffer] = useState<{ enrolment?: Enrolment; error?: unknown }>({});
  const [existing, setExisting] = useState<Identity | undefined>(undefined);
  const [label, setLabel] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);

  useEffect(() => {
    if (!token) return;
    publicJson<Enrolment>(`/v1/enrolments/${encodeURIComponent(token)}`).then(
      (enrolment) => setOffer({ enrolment }),
      (error) => setOffer({ error }),
    );
    void loadIdentity().then(setExisting);
  }, [token]);

  if (!token) {
    return html`<${Page} title="Enrol">
      <p>This link carries no invitation. Open the link from your invitation e-mail as it is, in full.</p>
    <//>`;
  }
  if (offer.error) {
    const gone = offer.error instanceof ApiError && (offer.error.status === 410 || offer.error.status === 404);
    return html`<${Page} title="Enrol">
      <${ProblemBox} error=${offer.error} />
      ${gone ? html`<p>Ask whoever invited you for a new invitation.</p>` : null}
    <//>`;
  }
  const e = offer.enrolment;
  if (!e) return html`<${Page} title="Enrol"><${Loading} what="the invitation" /><//>`;

  const enrol = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const key = await generateKey();
      const proof = await keyProof(key, e.accountId);
      const body = { publicJwk: key.publicJwk, proof, ...(label.trim() && { label: label.trim() }) };
      const record = await signedJson<KeyRecord>(key, "POST", `/v1/enrolments/${encodeURIComponent(token)}`, body);
      await saveIdentity({
        keyId: record.keyId,
        privateKey: key.privateKey,
        publicJwk: key.publicJwk,
        accountId: record.accountId,
        accountName: e.accountName,
        accountKind: record.accountKind,
        person: record.person ?? { name: e.name, email: e.email, role: e.role },
        ...(record.label && { label: record.label }),
        enrolledAt: record.createdAt,
      });
      navigate("./", { replace: true });
      window.dispatchEvent(new Event("hoptrace:identity"));
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };

  return html`<${Page} title="Enrol">
    <p>You are invited to the Hoptrace console.</p>
    <${KeyValues}
      rows=${[
        ["Name", e.name],
        ["E-mail", e.email],
        ["Role", e.role],
        ["Organisation", e.accountName],
        ["Invitation expires", html`<${Time} iso=${e.expiresAt} />`],
      ]}
    />
    ${
      existing
        ? html`<p class="notice" role="note">This browser already holds a key for ${existing.person?.name ?? existing.accountId}. Enrolling replaces it here; the old key stays registered until it is revoked.</p>`
        : null
    }
    <form onSubmit=${enrol} class="stack">
      <${Field} id="enrol-label" label="Name this browser (optional)" hint="Shown beside the key in your organisation's list, e.g. “work laptop”.">
        <input ...${described("enrol-label", undefined, "x")} maxlength="100" value=${label} onInput=${(ev: Event) => setLabel((ev.target as HTMLInputElement).value)} />
      <//>
      <p class="muted">Your browser makes a new signing key that never leaves it, and registers it as yours. There is no password.</p>
      ${failure ? html`<${ProblemBox} error=${failure} />` : null}
      <div><button class="primary" type="submit" disabled=${busy}>${busy ? "Enrolling…" : "Create my key and enrol"}</button></div>
    </form>
  <//>`;
}
