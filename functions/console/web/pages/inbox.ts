/** A provider's hop requests: the open ones with the time left, and those already answered. */
import { call, type Schemas } from "../api.js";
import { html } from "../html.js";
import { AccountName } from "../names.js";
import { useSession } from "../session.js";
import { Async, Badge, Page, StatusBadge, TableWrap, Time, timeLeft, useAsync, useCursorPages } from "../ui.js";

type HopRequest = Schemas["HopRequest"];

function usePagedHops(status: "open" | "all") {
  const { api } = useSession();
  const { cursor, next, previous } = useCursorPages();
  const state = useAsync(() => call(api.GET("/v1/hop-requests", { params: { query: { status, limit: 25, ...(cursor && { cursor }) } } })), [status, cursor]);
  return { state, next, previous };
}

export function Pager(props: { next?: string | undefined; onNext: (cursor: string) => void; onPrevious?: (() => void) | undefined }) {
  if (!props.next && !props.onPrevious) return null;
  return html`<nav class="pager" aria-label="Pages">
    <button onClick=${props.onPrevious} disabled=${!props.onPrevious}>Previous page</button>
    <button onClick=${() => props.next && props.onNext(props.next)} disabled=${!props.next}>Next page</button>
  </nav>`;
}

function Due(props: { hop: HopRequest }) {
  const due = props.hop.deadline?.dueAt;
  if (!due) return html`<span class="muted">no deadline</span>`;
  const left = timeLeft(due);
  return html`<span class=${left.overdue ? "late" : ""}><${Time} iso=${due} /><br /><span class="small">${left.text}</span></span>`;
}

function HopRows(props: { hops: HopRequest[]; answered?: boolean }) {
  return html`<${TableWrap} label="Hop requests">
    <table class="cards">
      <thead><tr><th scope="col">Request</th><th scope="col">Call</th><th scope="col">Named by</th><th scope="col">${props.answered ? "Answered" : "Due"}</th><th scope="col">Status</th></tr></thead>
      <tbody>
        ${props.hops.map(
          (h) => html`<tr>
            <td data-label="Request"><a href=${`hops/${h.id}`}>${h.kind === "signer_inquiry" ? "Signer inquiry" : `Hop ${h.seq}`}</a><br /><span class="muted small">asked <${Time} iso=${h.createdAt} /></span></td>
            <td data-label="Call"><span class="nowrap">${h.call.callingNumber}</span> → <span class="nowrap">${h.call.calledNumber}</span><br /><span class="muted small"><${Time} iso=${h.call.callTimeUtc} /></span></td>
            <td data-label="Named by"><${AccountName} id=${h.namedBy.accountId} /></td>
            <td data-label=${props.answered ? "Answered" : "Due"}>${props.answered ? html`<${Time} iso=${h.answeredAt} />${h.late ? html` <${Badge} tone="bad">late<//>` : null}` : html`<${Due} hop=${h} />`}</td>
            <td data-label="Status"><${StatusBadge} status=${h.status} />${h.overdueAt && h.status === "open" ? html` <${Badge} tone="bad">overdue<//>` : null}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  <//>`;
}

export function InboxPage() {
  const { state, next, previous } = usePagedHops("open");
  return html`<${Page} title="Inbox">
    <p class="muted">Hop requests addressed to your organisation that wait for an answer, oldest first.</p>
    <${Async} state=${state} what="the open hop requests">
      ${(page: { items: HopRequest[]; nextCursor?: string }) =>
        page.items.length
          ? html`<${HopRows} hops=${page.items} /><${Pager} next=${page.nextCursor} onNext=${next} onPrevious=${previous} />`
          : html`<p class="empty">Nothing waits for an answer.</p>`}
    <//>
  <//>`;
}

export function HistoryPage() {
  const { state, next, previous } = usePagedHops("all");
  return html`<${Page} title="Answered">
    <p class="muted">Every hop request addressed to your organisation, newest first, with its answer.</p>
    <${Async} state=${state} what="the hop requests">
      ${(page: { items: HopRequest[]; nextCursor?: string }) => {
        const answered = page.items.filter((h) => h.status === "answered");
        return html`${answered.length ? html`<${HopRows} hops=${answered} answered=${true} />` : html`<p class="empty">No answers on this page.</p>`}
          <${Pager} next=${page.nextCursor} onNext=${next} onPrevious=${previous} />`;
      }}
    <//>
  <//>`;
}
