/** The provider directory with each provider's responsiveness and findings (the consortium's view). */
import { call, type Schemas } from "../api.js";
import { html } from "../html.js";
import { useSession } from "../session.js";
import { Async, KeyValues, Page, SeverityBadge, TableWrap, Time, seconds, useAsync, useCursorPages } from "../ui.js";
import { Pager } from "./inbox.js";
import { KeyTable } from "./people.js";
import { ScorecardSection } from "./scorecard.js";

type Account = Schemas["Account"];
type Responsiveness = Schemas["Responsiveness"];

export const PERIOD_DAYS = 90;

export function period(days = PERIOD_DAYS): { from: string; to: string } {
  const to = new Date();
  return { from: new Date(to.getTime() - days * 86_400_000).toISOString(), to: to.toISOString() };
}

export function useResponsiveness(providerId: string) {
  const { api } = useSession();
  return useAsync(
    () => call(api.GET("/v1/providers/{accountId}/responsiveness", { params: { path: { accountId: providerId }, query: period() } })),
    [providerId],
  );
}

export function useFindings(providerId: string, limit = 25) {
  const { api } = useSession();
  return useAsync(() => call(api.GET("/v1/providers/{accountId}/findings", { params: { path: { accountId: providerId }, query: { limit } } })), [providerId]);
}

function ResponsivenessCells(props: { id: string }) {
  const r = useResponsiveness(props.id);
  const f = useFindings(props.id, 100);
  if (r.error) return html`<td colspan="5" class="muted">unavailable</td>`;
  const d = r.data;
  const findings = f.data?.items.length;
  return html`<td>${d ? `${d.answered} / ${d.requested}` : "…"}</td>
    <td class=${d?.answeredLate ? "late" : ""}>${d?.answeredLate ?? "…"}</td>
    <td class=${d?.overdue || d?.nonResponsive ? "late" : ""}>${d ? `${d.overdue} / ${d.nonResponsive}` : "…"}</td>
    <td>${d ? `${seconds(d.medianAnswerSeconds)} / ${seconds(d.p90AnswerSeconds)}` : "…"}</td>
    <td>${findings === undefined ? "…" : f.data?.nextCursor ? `${findings}+` : findings}</td>`;
}

export function ProvidersPage() {
  const { api } = useSession();
  const { cursor, next, previous } = useCursorPages();
  const state = useAsync(() => call(api.GET("/v1/providers", { params: { query: { limit: 25, ...(cursor && { cursor }) } } })), [cursor]);
  return html`<${Page} title="Providers">
    <p class="muted">Registered providers; figures over the last ${PERIOD_DAYS} days.</p>
    <${Async} state=${state} what="the providers">
      ${(page: { items: Account[]; nextCursor?: string }) => html`<${TableWrap} label="Providers">
          <table>
            <thead><tr><th scope="col">Provider</th><th scope="col">FRN</th><th scope="col">Answered / asked</th><th scope="col">Late</th><th scope="col">Overdue / non-responsive</th><th scope="col">Median / p90 answer</th><th scope="col">Findings</th></tr></thead>
            <tbody>${page.items.map((p) => html`<tr><td><a href=${`providers/${p.id}`}>${p.name}</a></td><td>${p.frn ?? "—"}</td><${ResponsivenessCells} id=${p.id} /></tr>`)}</tbody>
          </table>
        <//>
        <${Pager} next=${page.nextCursor} onNext=${next} onPrevious=${previous} />`}
    <//>
  <//>`;
}

export function ResponsivenessView(props: { data: Responsiveness }) {
  const d = props.data;
  return html`<${KeyValues}
    rows=${[
      ["Asked", String(d.requested)],
      ["Answered", String(d.answered)],
      ["Answered late", String(d.answeredLate)],
      ["Open", String(d.open)],
      ["Overdue", String(d.overdue)],
      ["Non-responsive", String(d.nonResponsive)],
      ["Median answer time", seconds(d.medianAnswerSeconds)],
      ["90th percentile", seconds(d.p90AnswerSeconds)],
    ]}
  />`;
}

export function FindingsList(props: { providerId: string }) {
  const f = useFindings(props.providerId);
  return html`<${Async} state=${f} what="the findings">
    ${(page: { items: Array<{ code: string; severity: string; detail: string; tracebackId?: string; createdAt?: string }> }) =>
      page.items.length
        ? html`<ul class="findings">${page.items.map(
            (x) =>
              html`<li><${SeverityBadge} severity=${x.severity} /> <code>${x.code}</code> ${x.detail}${x.tracebackId ? html` — <a href=${`tracebacks/${x.tracebackId}`}>${x.tracebackId}</a>` : null}${x.createdAt ? html` <span class="muted small"><${Time} iso=${x.createdAt} /></span>` : null}</li>`,
          )}</ul>`
        : html`<p class="empty">No findings.</p>`}
  <//>`;
}

export function ProviderPage(props: { id: string }) {
  const { api } = useSession();
  const account = useAsync(() => call(api.GET("/v1/providers/{accountId}", { params: { path: { accountId: props.id } } })), [props.id]);
  const r = useResponsiveness(props.id);
  return html`<${Async} state=${account} what="the provider">
    ${(a: Account) => html`<${Page} title=${a.name}>
      <${KeyValues}
        rows=${
          [
            ["Account id", html`<code>${a.id}</code>`],
            ["FRN", a.frn],
            ["RMD number", a.rmdNumber],
            ["SPC codes", a.spcCodes.join(", ") || undefined],
            ["Contact", a.contact ? `${a.contact.name} <${a.contact.email}>` : undefined],
            ["Registered", html`<${Time} iso=${a.createdAt} />`],
          ] as never
        }
      />
      <section aria-labelledby="resp-h"><h2 id="resp-h">Responsiveness, last ${PERIOD_DAYS} days</h2><${Async} state=${r}>${(d: Responsiveness) => html`<${ResponsivenessView} data=${d} />`}<//></section>
      <${ScorecardSection} providerId=${a.id} />
      <section aria-labelledby="pf-h"><h2 id="pf-h">Findings</h2><${FindingsList} providerId=${a.id} /></section>
      <section aria-labelledby="pk-h"><h2 id="pk-h">Keys and people</h2><${KeyTable} accountId=${a.id} /></section>
    <//>`}
  <//>`;
}
