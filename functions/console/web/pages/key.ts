/** The key this browser holds, and how to let go of it. */
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { forgetIdentity } from "../keystore.js";
import { navigate } from "../router.js";
import { useSession } from "../session.js";
import { KeyValues, Page, Time } from "../ui.js";

/** Lets go of the key in this browser, after a confirmation. */
export function ForgetKey() {
  const [confirming, setConfirming] = useState(false);
  const forget = async () => {
    await forgetIdentity();
    navigate("./", { replace: true });
    window.dispatchEvent(new Event("hoptrace:identity"));
  };
  return confirming
    ? html`<div class="confirm" role="group" aria-label="Confirm">
        <p>Forget the key? This browser can no longer act for you; the key stays registered until it is revoked.</p>
        <button class="danger" onClick=${forget}>Forget the key</button> <button onClick=${() => setConfirming(false)}>Keep it</button>
      </div>`
    : html`<button onClick=${() => setConfirming(true)}>Forget this browser's key…</button>`;
}

export function KeyPage() {
  const { identity } = useSession();
  return html`<${Page} title="This browser's key">
    <${KeyValues}
      rows=${[
        ["Person", identity.person ? `${identity.person.name} <${identity.person.email}>` : undefined],
        ["Role", identity.person?.role],
        ["Organisation", identity.accountName ?? identity.accountId],
        ["Account id", html`<code>${identity.accountId}</code>`],
        ["Key id", html`<code>${identity.keyId}</code>`],
        ["Label", identity.label],
        ["Enrolled", html`<${Time} iso=${identity.enrolledAt} />`],
      ]}
    />
    <p class="muted">The private key cannot be read or copied out of this browser, not even by the console. Every request the console sends is signed with it, and what you answer is recorded under this key id.</p>
    <${ForgetKey} />
  <//>`;
}
