/** A provider's scorecard over the last year (the consortium's view, and the provider's own), with its CSV. */
import { useState } from "preact/hooks";
import { call, signedFile, type Schemas } from "../api.js";
import { html } from "../html.js";
import { useSession } from "../session.js";
import { Async, Badge, KeyValues, ProblemBox, Time, seconds, useAsync } from "../ui.js";

type Scorecard = Schemas["ProviderScorecard"];

const LISTING_TONE: Record<string, "good" | "bad" | "warn" | "neutral"> = {
  listed: "good",
  removed: "bad",
  not_listed: "bad",
  unverifiable: "warn",
  no_snapshot: "neutral",
};

/** Saves a blob as a file through a temporary link, the way a browser saves a download. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function DownloadCsv(props: { providerId: string }) {
  const { key } = useSession();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);
  const download = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const file = await signedFile(key, `/v1/providers/${encodeURIComponent(props.providerId)}/scorecard`, "text/csv");
      save(file.blob, file.filename ?? `scorecard-${props.providerId}.csv`);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return html`<p><button type="button" onClick=${download} disabled=${busy}>${busy ? "Preparing the CSV…" : "Download CSV"}</button></p>${failure ? html`<${ProblemBox} error=${failure} />` : null}`;
}

export function ScorecardSection(props: { providerId: string }) {
  const { api } = useSession();
  const state = useAsync(() => call(api.GET("/v1/providers/{accountId}/scorecard", { params: { path: { accountId: props.providerId } } })), [props.providerId]);
  return html`<section aria-labelledby="sc-h">
    <h2 id="sc-h">Scorecard, last 12 months</h2>
    <${Async} state=${state} what="the scorecard">
      ${(
        s: Scorecard,
      ) => html`<p class="muted small">Completed tracebacks of calls from <${Time} iso=${s.from} /> to <${Time} iso=${s.to} />.${s.truncated ? " Cut short: the figures cover part of the period." : ""}</p>
        <${KeyValues}
          rows=${
            [
              ["Tracebacks it took part in", String(s.tracebacks.tracebacks)],
              ["On the path", String(s.tracebacks.onPath)],
              ["As originator", String(s.tracebacks.asOriginator)],
              ["As point of entry", String(s.tracebacks.asPointOfEntry)],
              ["As signer", String(s.tracebacks.asSigner)],
              ["Hop requests answered / asked", `${s.hopRequests.answered} / ${s.hopRequests.requested}`],
              ["Answered late", String(s.hopRequests.answeredLate)],
              ["Overdue / non-responsive", `${s.hopRequests.overdue} / ${s.hopRequests.nonResponsive}`],
              ["Median / p90 answer", `${seconds(s.hopRequests.medianAnswerSeconds)} / ${seconds(s.hopRequests.p90AnswerSeconds)}`],
              [
                "RMD",
                html`<${Badge} tone=${LISTING_TONE[s.rmd.match.listing] ?? "neutral"}>${s.rmd.match.listing.replace(/_/g, " ")}<//>${s.rmd.match.filing ? html` <span class="small">${s.rmd.match.filing.number}</span>` : null}`,
              ],
            ] as never
          }
        />
        ${
          s.tracebacks.findings.length
            ? html`<p><strong>Findings:</strong> ${s.tracebacks.findings.map((f, i) => html`${i ? ", " : ""}<code>${f.kind}</code> in ${f.tracebacks}`)}</p>`
            : null
        }
        ${s.tracebacks.outcomes.length ? html`<p><strong>Outcomes:</strong> ${s.tracebacks.outcomes.map((o, i) => html`${i ? ", " : ""}${o.outcome.replace(/_/g, " ")} ${o.tracebacks}`)}</p>` : null}
        ${
          s.rmd.history.length
            ? html`<details><summary>RMD filing history (${s.rmd.history.length})</summary><ul class="plain">${s.rmd.history.map((h) => html`<li><${Time} iso=${h.asOf} />: ${h.number} ${h.change}${h.fields?.length ? ` (${h.fields.join(", ")})` : ""}</li>`)}</ul></details>`
            : null
        }
        ${
          s.repeatOffenderCustomers.length
            ? html`<p><strong>Repeat-offender customers it named:</strong> ${s.repeatOffenderCustomers.map((c) => c.names[0]).join("; ")}</p>`
            : null
        }
        <${DownloadCsv} providerId=${s.providerId} />`}
    <//>
  </section>`;
}
