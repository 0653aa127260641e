/**
 * A traceback's chain as a timeline: who named whom, when each provider was asked, its due time
 * and answer (late or not) with the evidence and the person key that signed it; the signer
 * inquiries beside the chain; the findings; and the analyst's actions (close, reopen, assign a
 * hop waiting for an unregistered upstream).
 */
import { useState } from "preact/hooks";
import { CloseTracebackSchema } from "../../../http/schemas/tracebacks.js";
import { ApiError, call, type Schemas } from "../api.js";
import { errorsOf, maxLengthOf, shapeOf } from "../contract-form.js";
import { html } from "../html.js";
import { AccountName } from "../names.js";
import { useSession } from "../session.js";
import {
  Async,
  Badge,
  Field,
  KeyValues,
  OutcomeBadge,
  Page,
  ProblemBox,
  SeverityBadge,
  StatusBadge,
  Time,
  described,
  seconds,
  timeLeft,
  useAsync,
} from "../ui.js";
import { AnswerView } from "./answer-form.js";

type Chain = Schemas["TracebackChain"];
type Hop = Schemas["Hop"];
type Finding = Schemas["Finding"];

export function ChainPage(props: { id: string }) {
  const { api } = useSession();
  const state = useAsync(() => call(api.GET("/v1/tracebacks/{tracebackId}", { params: { path: { tracebackId: props.id } } })), [props.id]);
  return html`<${Async} state=${state} what="the traceback">
    ${(chain: Chain) => {
      const tb = chain.traceback;
      return html`<${Page} title=${tb.campaign ? `Traceback: ${tb.campaign}` : "Traceback"} actions=${html`<${StatusBadge} status=${tb.status} />${tb.result ? html` <${OutcomeBadge} outcome=${tb.result.outcome} />` : null}`}>
        <${KeyValues}
          rows=${
            [
              ["Id", html`<code>${tb.id}</code>`],
              [
                "Calling number",
                html`${tb.call.callingNumber}${tb.call.callingNumberAsGiven !== tb.call.callingNumber ? html` <span class="muted">(as given: ${tb.call.callingNumberAsGiven})</span>` : null}`,
              ],
              ["Called number", tb.call.calledNumber],
              ["Call time", html`<${Time} iso=${tb.call.callTimeUtc} />`],
              ["Initiator", html`<${AccountName} id=${tb.initiatorId} />`],
              ["Created", html`<${Time} iso=${tb.createdAt} />`],
              ["Deadline policy", tb.deadlinePolicy],
              ["Recording", tb.mediaUrl ? html`<a href=${tb.mediaUrl} rel="noopener noreferrer" target="_blank">${tb.mediaUrl}</a>` : undefined],
              ["Notes", tb.notes],
              [
                "Result",
                tb.result
                  ? html`<${OutcomeBadge} outcome=${tb.result.outcome} /> <${Time} iso=${tb.result.decidedAt} />${tb.result.reason ? html` — ${tb.result.reason}` : null}`
                  : undefined,
              ],
            ] as never
          }
        />
        <${Actions} chain=${chain} onChange=${state.reload} />
        <section aria-labelledby="chain-h">
          <h2 id="chain-h">Chain</h2>
          <ol class="timeline">${chain.hops.map((h) => html`<${HopItem} hop=${h} onChange=${state.reload} />`)}</ol>
        </section>
        ${
          chain.signerInquiries?.length
            ? html`<section aria-labelledby="inq-h">
              <h2 id="inq-h">Signer inquiries</h2>
              <p class="muted">Each verified signer of the call, asked directly which customer the call came from.${chain.pathsAgree === undefined ? "" : chain.pathsAgree ? " The inquiry and the chain agree." : " The inquiry and the chain disagree."}</p>
              <ol class="timeline inquiries">${chain.signerInquiries.map((h) => html`<${HopItem} hop=${h} onChange=${state.reload} />`)}</ol>
            </section>`
            : null
        }
        <${Findings} title="Findings" findings=${[...(tb.callFindings ?? []), ...(chain.findings ?? [])]} />
        <${RmdFindings} id=${tb.id} version=${`${tb.status}:${chain.hops.length}`} />
        ${
          tb.signatures?.length
            ? html`<section aria-labelledby="sig-h"><h2 id="sig-h">SIP Identity signatures</h2>
              <ul class="plain">${tb.signatures.map(
                (
                  s,
                ) => html`<li>Header ${s.identityIndex + 1}: ${s.signatureValid && s.chainValid ? html`<${Badge} tone="good">verified<//>` : html`<${Badge} tone="bad">not verified<//>`}
                  ${s.attest ? ` attestation ${s.attest}` : ""}${s.spc ? `, SPC ${s.spc}` : ""}${s.signerProviderId ? html`, signer <${AccountName} id=${s.signerProviderId} link=${true} />` : ""}</li>`,
              )}</ul></section>`
            : null
        }
      <//>`;
    }}
  <//>`;
}

function Signer(props: { by?: { accountId: string; keyId: string; person?: { name: string; role: string } } | undefined }) {
  if (!props.by) return null;
  return html`<span class="signer">signed by ${props.by.person ? html`<strong>${props.by.person.name}</strong> (${props.by.person.role}) of ` : null}<${AccountName} id=${props.by.accountId} />${" "}
    <span class="muted small">with key <code>${props.by.keyId}</code></span></span>`;
}

function HopItem(props: { hop: Hop; onChange: () => void }) {
  const h = props.hop;
  const due = h.deadline?.dueAt;
  const left = due && h.status === "open" ? timeLeft(due) : undefined;
  return html`<li class=${`hop ${h.status}`} id=${h.id}>
    <div class="hop-head">
      <strong>${h.kind === "signer_inquiry" ? "Inquiry" : `Hop ${h.seq}`}:</strong>
      ${h.providerId ? html`<${AccountName} id=${h.providerId} link=${true} />` : h.pendingProvider ? html`<span>${h.pendingProvider.name} <span class="muted">(not registered${h.pendingProvider.frn ? `, FRN ${h.pendingProvider.frn}` : ""})</span></span>` : null}
      <${StatusBadge} status=${h.status} />
      ${h.late ? html`<${Badge} tone="bad">late<//>` : null}
      ${h.overdueAt ? html`<${Badge} tone="bad">overdue<//>` : null}
    </div>
    <p class="muted small">named by <${AccountName} id=${h.namedBy.accountId} /> · asked <${Time} iso=${h.createdAt} /> · due <${Time} iso=${due} />${left ? html` <span class=${left.overdue ? "late" : ""}>(${left.text})</span>` : null}
      ${h.answeredAt ? html` · answered <${Time} iso=${h.answeredAt} />${h.answerSeconds !== undefined ? ` after ${seconds(h.answerSeconds)}` : ""}` : null}
      ${h.remindersSent ? ` · ${h.remindersSent} reminder${h.remindersSent > 1 ? "s" : ""}` : ""}</p>
    ${h.inquiry ? html`<p class="small">Asked about origination id <code>${h.inquiry.origid ?? "?"}</code> (attestation ${h.inquiry.attest ?? "?"})</p>` : null}
    ${h.answer ? html`<${AnswerView} answer=${h.answer} /><p class="small"><${Signer} by=${h.answeredBy} /></p>` : null}
    ${
      h.amendments?.length
        ? html`<details><summary>${h.amendments.length} amendment${h.amendments.length > 1 ? "s" : ""}</summary>${h.amendments.map(
            (a) =>
              html`<div class="amendment"><p><${Time} iso=${a.amendedAt} />: ${a.reason}</p><${AnswerView} answer=${a.answer} /><p class="small"><${Signer} by=${a.amendedBy} /></p></div>`,
          )}</details>`
        : null
    }
    ${h.status === "awaiting_registration" ? html`<${Assign} hop=${h} onChange=${props.onChange} />` : null}
  </li>`;
}

/** The chain checked against the Robocall Mitigation Database as it stood at the call. */
function RmdFindings(props: { id: string; version?: string | undefined }) {
  const { api } = useSession();
  const state = useAsync(
    () => call(api.GET("/v1/tracebacks/{tracebackId}/rmd-findings", { params: { path: { tracebackId: props.id } } })),
    [props.id, props.version],
  );
  return html`<section aria-labelledby="rmd-h">
    <h2 id="rmd-h">RMD findings</h2>
    <${Async} state=${state} what="the RMD findings">
      ${(r: Schemas["TracebackRmdFindings"]) => html`<p class="muted small">
          ${r.snapshot ? html`Against the RMD snapshot of <${Time} iso=${r.snapshot.asOf} />` : "No RMD snapshot was taken before the call"}${r.recordedAt ? html`; recorded when the traceback ended, <${Time} iso=${r.recordedAt} />.` : "; the findings so far, while the traceback runs."}
        </p>
        ${
          r.findings.length
            ? html`<ul class="findings">${r.findings.map(
                (f) =>
                  html`<li><${SeverityBadge} severity=${f.severity} /> <code>${f.code}</code> ${f.detail}${f.hopSeq !== undefined ? html` <span class="muted small">(hop ${f.hopSeq})</span>` : null}${f.providerId ? html` — <${AccountName} id=${f.providerId} link=${true} />` : null}</li>`,
              )}</ul>`
            : html`<p class="empty">No RMD finding.</p>`
        }`}
    <//>
  </section>`;
}

/** The consortium addresses a hop waiting on an unregistered upstream to a registered provider. */
function Assign(props: { hop: Hop; onChange: () => void }) {
  const { api, kind } = useSession();
  const [providerId, setProviderId] = useState("");
  const [failure, setFailure] = useState<unknown>(undefined);
  const providers = useAsync(
    async () => (kind === "consortium" ? (await call(api.GET("/v1/providers", { params: { query: { limit: 100 } } }))).items : []),
    [kind],
  );
  if (kind !== "consortium") return null;
  const id = `assign-${props.hop.id}`;
  const assign = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    const { error, response } = await api.POST("/v1/hop-requests/{hopId}/assign", { params: { path: { hopId: props.hop.id } }, body: { providerId } });
    if (error) setFailure(new ApiError(response.status, error as never));
    else props.onChange();
  };
  return html`<form class="inline" onSubmit=${assign}>
    <${Field} id=${id} label="Assign to a registered provider">
      <select ...${described(id)} value=${providerId} onChange=${(e: Event) => setProviderId((e.target as HTMLSelectElement).value)} required>
        <option value="">Choose…</option>
        ${(providers.data ?? []).map((p) => html`<option value=${p.id}>${p.name}${p.frn ? ` (FRN ${p.frn})` : ""}</option>`)}
      </select>
    <//>
    <button type="submit" disabled=${!providerId}>Assign</button>
    ${failure ? html`<${ProblemBox} error=${failure} />` : null}
  </form>`;
}

function Actions(props: { chain: Chain; onChange: () => void }) {
  const { api } = useSession();
  const tb = props.chain.traceback;
  const [closing, setClosing] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const close = async (event: Event) => {
    event.preventDefault();
    const parsed = CloseTracebackSchema.safeParse({ reason: reason.trim() || undefined });
    setError(parsed.success ? undefined : errorsOf(parsed.error as never).reason);
    if (!parsed.success) return;
    const res = await api.POST("/v1/tracebacks/{tracebackId}/close", { params: { path: { tracebackId: tb.id } }, body: parsed.data });
    if (res.error) setFailure(new ApiError(res.response.status, res.error as never));
    else {
      setClosing(false);
      props.onChange();
    }
  };
  const reopen = async () => {
    setFailure(undefined);
    const res = await api.POST("/v1/tracebacks/{tracebackId}/reopen", { params: { path: { tracebackId: tb.id } } });
    if (res.error) setFailure(new ApiError(res.response.status, res.error as never));
    else props.onChange();
  };
  return html`<div class="toolbar">
    ${
      tb.status === "completed"
        ? html`<button onClick=${reopen}>Reopen</button>`
        : closing
          ? html`<form class="stack" onSubmit=${close}>
            <${Field} id="close-reason" label="Why the traceback is closed" error=${error} required=${true}>
              <textarea ...${described("close-reason", error)} rows="2" maxlength=${maxLengthOf(shapeOf(CloseTracebackSchema).reason!)} value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLTextAreaElement).value)}></textarea>
            <//>
            <div><button class="danger" type="submit">Close the traceback</button> <button type="button" onClick=${() => setClosing(false)}>Cancel</button></div>
          </form>`
          : html`<button onClick=${() => setClosing(true)}>Close…</button>`
    }
    ${failure ? html`<${ProblemBox} error=${failure} />` : null}
  </div>`;
}

export function Findings(props: { title: string; findings: Finding[] }) {
  if (!props.findings.length) return null;
  return html`<section aria-labelledby="findings-h">
    <h2 id="findings-h">${props.title}</h2>
    <ul class="findings">${props.findings.map((f) => html`<li><${SeverityBadge} severity=${f.severity} /> <code>${f.code}</code> ${f.detail}</li>`)}</ul>
  </section>`;
}
