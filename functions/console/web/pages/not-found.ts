import { html } from "../html.js";
import { Page } from "../ui.js";

export function NotFoundPage(props: { what?: string }) {
  return html`<${Page} title="Not found">
    <p>${props.what ?? "There is no such page"} — or it is not addressed to your organisation.</p>
    <p><a href="./">Back to the start</a></p>
  <//>`;
}
