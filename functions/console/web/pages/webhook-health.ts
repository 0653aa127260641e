/**
 * Webhook health for the consortium: the endpoints the hub paused after failing deliveries, read
 * from each provider's event feed (`endpoint.paused`), with the providers that have no working
 * endpoint and so are reached by e-mail.
 */
import { call, type Schemas } from "../api.js";
import { html } from "../html.js";
import { useSession } from "../session.js";
import { Async, Page, TableWrap, Time, useAsync, useCursorPages } from "../ui.js";
import { Pager } from "./inbox.js";

type Account = Schemas["Account"];
type HubEvent = Schemas["Event"];

const LOOK_BACK_DAYS = 30;

function PausedEvents(props: { provider: Account }) {
  const { api } = useSession();
  const since = new Date(Date.now() - LOOK_BACK_DAYS * 86_400_000).toISOString();
  const events = useAsync(async () => {
    const paused: HubEvent[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call(api.GET("/v1/events", { params: { query: { recipientId: props.provider.id, since, limit: 100, ...(cursor && { cursor }) } } }));
      paused.push(...page.items.filter((e) => e.type === "endpoint.paused"));
      cursor = page.nextCursor;
    } while (cursor && ++pages < 5);
    return paused;
  }, [props.provider.id]);
  if (events.error) return html`<tr><td>${props.provider.name}</td><td colspan="2" class="muted">unavailable</td></tr>`;
  if (!events.data) return html`<tr><td>${props.provider.name}</td><td colspan="2" class="muted">…</td></tr>`;
  if (!events.data.length) return null;
  return html`${events.data.map(
    (e) =>
      html`<tr><td><a href=${`providers/${props.provider.id}`}>${props.provider.name}</a></td><td><code class="small">${e.data.endpointId}</code><br /><span class="small">${e.data.reason}</span></td><td><${Time} iso=${e.createdAt} /></td></tr>`,
  )}`;
}

export function WebhookHealthPage() {
  const { api } = useSession();
  const { cursor, next, previous } = useCursorPages();
  const providers = useAsync(() => call(api.GET("/v1/providers", { params: { query: { limit: 25, ...(cursor && { cursor }) } } })), [cursor]);
  return html`<${Page} title="Webhook health">
    <p class="muted">Endpoints paused after failing deliveries in the last ${LOOK_BACK_DAYS} days. A provider whose endpoint is paused is reached by e-mail until it enables the endpoint again.</p>
    <${Async} state=${providers} what="the providers">
      ${(page: { items: Account[]; nextCursor?: string }) => html`<${TableWrap} label="Paused endpoints"><table>
          <thead><tr><th scope="col">Provider</th><th scope="col">Endpoint and reason</th><th scope="col">Paused</th></tr></thead>
          <tbody>${page.items.map((p) => html`<${PausedEvents} provider=${p} />`)}</tbody>
        </table><//>
        <p class="muted small">Providers with no paused endpoint are not listed.</p>
        <${Pager} next=${page.nextCursor} onNext=${next} onPrevious=${previous} />`}
    <//>
  <//>`;
}
