/** Tracebacks with server-side filters and cursor paging (the consortium: all; an initiator: its own). */
import { useState } from "preact/hooks";
import { call, type Schemas } from "../api.js";
import { html } from "../html.js";
import { AccountName } from "../names.js";
import { navigate, useLocation } from "../router.js";
import { useSession } from "../session.js";
import { Async, Field, OutcomeBadge, Page, StatusBadge, TableWrap, Time, described, useAsync } from "../ui.js";
import { FINDING_KINDS } from "../../../domain/intel/intel.js";
import { OUTCOMES } from "../../../domain/answer.js";
import { TRACEBACK_STATUSES } from "../../../domain/traceback.js";
import { Pager } from "./inbox.js";

type Traceback = Schemas["Traceback"];

/** The list's filters as query parameters, kept in the page's URL so a filtered view can be shared. */
const FILTERS = [
  { name: "status", label: "Status", choices: TRACEBACK_STATUSES },
  { name: "outcome", label: "Outcome", choices: OUTCOMES },
  { name: "createdFrom", label: "Created from", type: "date" },
  { name: "createdTo", label: "Created to", type: "date" },
  { name: "callFrom", label: "Call date from", type: "date" },
  { name: "callTo", label: "Call date to", type: "date" },
  { name: "callingNumber", label: "Calling number" },
  { name: "calledNumber", label: "Called number" },
  { name: "providerId", label: "Provider on the path (account id)" },
  { name: "campaign", label: "Campaign" },
  { name: "hasFinding", label: "Has a finding of kind", choices: FINDING_KINDS },
] as const;

export function TracebacksPage() {
  const { api, kind } = useSession();
  const loc = useLocation();
  const query = Object.fromEntries([...loc.query.entries()].filter(([k, v]) => v && (k === "overdue" || k === "cursor" || FILTERS.some((f) => f.name === k))));
  const [history, setHistory] = useState<string[]>([]);
  const state = useAsync(() => call(api.GET("/v1/tracebacks", { params: { query: { limit: 25, ...query } as never } })), [loc.query.toString()]);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const params = new URLSearchParams();
    for (const [k, v] of form.entries()) if (typeof v === "string" && v.trim()) params.set(k, v.trim());
    setHistory([]);
    navigate(`tracebacks${params.size ? `?${params}` : ""}`);
  };
  const go = (cursor?: string) => {
    const params = new URLSearchParams(loc.query);
    if (cursor) params.set("cursor", cursor);
    else params.delete("cursor");
    navigate(`tracebacks?${params}`);
  };

  return html`<${Page} title="Tracebacks" actions=${html`<a class="button primary" href="tracebacks/new">New traceback</a>`}>
    <p class="muted">${kind === "consortium" ? "Every traceback, newest first." : "Your organisation's tracebacks, newest first."}</p>
    <details class="filters" open=${FILTERS.some((f) => loc.query.get(f.name)) || loc.query.has("overdue")}>
      <summary>Filters</summary>
      <form onSubmit=${apply} class="filter-grid">
        ${FILTERS.map((f) => {
          const id = `filter-${f.name}`;
          const value = loc.query.get(f.name) ?? "";
          return html`<${Field} id=${id} label=${f.label}>
            ${
              "choices" in f
                ? html`<select ...${described(id)} name=${f.name} value=${value}><option value="">Any</option>${f.choices.map((c) => html`<option value=${c}>${c.replace(/_/g, " ")}</option>`)}</select>`
                : html`<input ...${described(id)} name=${f.name} type=${"type" in f ? f.type : "text"} value=${value} />`
            }
          <//>`;
        })}
        <div class="field checkbox"><input id="filter-overdue" type="checkbox" name="overdue" value="true" checked=${loc.query.get("overdue") === "true"} /><label for="filter-overdue">Overdue only</label></div>
        <div class="filter-actions"><button class="primary" type="submit">Apply filters</button> <a class="button" href="tracebacks">Clear</a></div>
      </form>
    </details>
    <${Async} state=${state} what="the tracebacks">
      ${(page: { items: Traceback[]; nextCursor?: string }) =>
        page.items.length
          ? html`<${TableWrap} label="Tracebacks">
                <table class="cards">
                  <thead><tr><th scope="col">Traceback</th><th scope="col">Call</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Hops</th><th scope="col">Created</th></tr></thead>
                  <tbody>
                    ${page.items.map(
                      (t) => html`<tr>
                        <td data-label="Traceback"><a href=${`tracebacks/${t.id}`}>${t.campaign ?? t.id}</a>${t.campaign ? html`<br /><span class="muted small">${t.id}</span>` : null}</td>
                        <td data-label="Call"><span class="nowrap">${t.call.callingNumber}</span> → <span class="nowrap">${t.call.calledNumber}</span><br /><span class="muted small"><${Time} iso=${t.call.callTimeUtc} /></span></td>
                        <td data-label="Status"><${StatusBadge} status=${t.status} /></td>
                        <td data-label="Outcome"><${OutcomeBadge} outcome=${t.result?.outcome} /></td>
                        <td data-label="Hops">${t.hopCount}${t.path.length ? html`<br /><span class="muted small">last: <${AccountName} id=${t.path[t.path.length - 1]} /></span>` : null}</td>
                        <td data-label="Created"><${Time} iso=${t.createdAt} /></td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              <//>
              <${Pager}
                next=${page.nextCursor}
                onNext=${(c: string) => {
                  setHistory((h) => [...h, loc.query.get("cursor") ?? ""]);
                  go(c);
                }}
                onPrevious=${
                  history.length
                    ? () => {
                        const previous = history[history.length - 1];
                        setHistory((h) => h.slice(0, -1));
                        go(previous || undefined);
                      }
                    : undefined
                }
              />`
          : html`<p class="empty">No traceback matches.</p>`}
    <//>
  <//>`;
}
