import { html } from "../html.js";
import { Page } from "../ui.js";

/** A browser without a key: the way in is an invitation. */
export function WelcomePage() {
  return html`<${Page} title="Welcome to Hoptrace">
    <p>This browser holds no Hoptrace key yet.</p>
    <p>
      People sign in with a key their own browser makes and keeps: there is no password. Ask the consortium, or your organisation's
      administrator, for an invitation; its link opens the enrolment page, where this browser makes your key and registers it.
    </p>
    <p class="muted">Lost the browser that held your key? Ask for the old key to be revoked and for a new invitation.</p>
  <//>`;
}
