/** The local operator's mailbox: the messages the hub wrote as .eml files because no SMTP server is set. */
import type { ComponentChildren } from "preact";
import { ApiError, call, type Schemas } from "../api.js";
import { html } from "../html.js";
import { useSession } from "../session.js";
import { Async, Page, Time, useAsync } from "../ui.js";

type Mail = Schemas["LocalMail"];

/** Text with its http(s) links made clickable. */
function linked(text: string): ComponentChildren[] {
  return text.split(/(https?:\/\/[^\s<>"]+)/g).map((part, i) => (i % 2 ? html`<a href=${part}>${part}</a>` : part));
}

export function MailPage() {
  const { api } = useSession();
  const mail = useAsync(() => call(api.GET("/v1/local/mail", { params: { query: { limit: 100 } } })), []);
  const notLocal = mail.error instanceof ApiError && mail.error.status === 404;
  return html`<${Page} title="Local mail">
    <p class="muted">Without an SMTP server, the local hub writes every message it would send as an .eml file under its data folder.</p>
    ${
      notLocal
        ? html`<p>This hub sends its mail; there is no local mailbox.</p>`
        : html`<${Async} state=${mail} what="the messages">
          ${(page: { items: Mail[] }) =>
            page.items.length
              ? html`<ul class="mail">${page.items.map(
                  (
                    m,
                  ) => html`<li><details><summary><strong>${m.subject}</strong> <span class="muted small">to ${m.to.join(", ")} · <${Time} iso=${m.createdAt} /></span></summary>
                    <pre class="mail-text">${linked(m.text)}</pre><p class="muted small">${m.file}</p></details></li>`,
                )}</ul>`
              : html`<p class="empty">No message yet.</p>`}
        <//>`
    }
  <//>`;
}
