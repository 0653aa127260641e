/**
 * One hop request as the provider asked sees it: the call, who named it, the clock, and the
 * answer form; once answered, the answer, its receipt and the amendments. Anything not addressed
 * to the caller is "not found", as the hub says.
 */
import { useEffect, useState } from "preact/hooks";
import { NewAmendmentSchema } from "../../../http/schemas/tracebacks.js";
import { ApiError, call, type Schemas } from "../api.js";
import { errorsOf, maxLengthOf, shapeOf } from "../contract-form.js";
import { html } from "../html.js";
import { AccountName } from "../names.js";
import { navigate } from "../router.js";
import { useSession } from "../session.js";
import { Async, Badge, Field, KeyValues, Page, StatusBadge, Time, described, timeLeft, useAsync } from "../ui.js";
import { AnswerForm, AnswerView, type Answer } from "./answer-form.js";
import { NotFoundPage } from "./not-found.js";

type HopRequest = Schemas["HopRequest"];

/** hop_<traceback ulid>_<seq> belongs to tb_<traceback ulid>. */
export const tracebackOfHop = (hopId: string) => hopId.replace(/^hop_([^_]+)_\d+$/, "tb_$1");

export function HopPage(props: { id: string }) {
  const session = useSession();
  // The consortium and the initiator read hops within their chain.
  useEffect(() => {
    if (session.kind !== "provider") navigate(`tracebacks/${tracebackOfHop(props.id)}#${props.id}`, { replace: true });
  }, [props.id]);
  const [receipt, setReceipt] = useState<string | undefined>(undefined);
  const state = useAsync(() => call(session.api.GET("/v1/hop-requests/{hopId}", { params: { path: { hopId: props.id } } })), [props.id]);
  if (session.kind !== "provider") return null;
  if (state.error instanceof ApiError && state.error.status === 404) return html`<${NotFoundPage} what="No hop request with this id is addressed to you" />`;

  const answer = async (a: Answer) => {
    const { data, error, response } = await session.api.POST("/v1/hop-requests/{hopId}/answer", { params: { path: { hopId: props.id } }, body: a });
    if (error || !data) throw new ApiError(response.status, error as never);
    setReceipt(response.headers.get("hoptrace-receipt") ?? undefined);
    state.reload();
  };

  return html`<${Async} state=${state} what="the hop request">
    ${(
      hop: HopRequest,
    ) => html`<${Page} title=${hop.kind === "signer_inquiry" ? "Signer inquiry" : `Hop request ${hop.seq}`} actions=${html`<${StatusBadge} status=${hop.status} />`}>
      <${HopFacts} hop=${hop} />
      ${
        hop.status === "open"
          ? html`<section aria-labelledby="answer-h"><h2 id="answer-h">Your answer</h2>
            <p class="muted">${hop.kind === "signer_inquiry" ? "Which of your customers does the call's origination identifier belong to?" : "Who handed you this call? Look it up in your records and answer."} Your answer is signed with your own key.</p>
            <${AnswerForm} selfId=${session.identity.accountId} submitLabel="Send the answer" onSubmit=${answer} />
          </section>`
          : null
      }
      ${
        hop.answer
          ? html`<${Answered} hop=${hop} receipt=${receipt} onAmended=${(r?: string) => {
              setReceipt(r);
              state.reload();
            }} />`
          : null
      }
    <//>`}
  <//>`;
}

function HopFacts(props: { hop: HopRequest }) {
  const { hop } = props;
  const due = hop.deadline?.dueAt;
  const left = due && hop.status === "open" ? timeLeft(due) : undefined;
  return html`<${KeyValues}
    rows=${
      [
        [
          "Calling number",
          html`<span>${hop.call.callingNumber}</span>${hop.call.callingNumberAsGiven !== hop.call.callingNumber ? html` <span class="muted">(as given: ${hop.call.callingNumberAsGiven})</span>` : null}`,
        ],
        ["Called number", hop.call.calledNumber],
        ["Call time", html`<${Time} iso=${hop.call.callTimeUtc} /> <span class="muted small">(${hop.call.callTime})</span>`],
        ["Named by", html`<${AccountName} id=${hop.namedBy.accountId} />`],
        ["Asked", html`<${Time} iso=${hop.createdAt} />`],
        ["Due", due ? html`<${Time} iso=${due} />${left ? html` <span class=${left.overdue ? "late" : "muted"}>(${left.text})</span>` : null}` : undefined],
        ...(hop.inquiry
          ? ([
              ["Origination id", hop.inquiry.origid],
              ["Attestation", hop.inquiry.attest],
            ] as Array<[string, string | undefined]>)
          : []),
        ...(hop.deferredUntil ? ([["Deferred until", html`<${Time} iso=${hop.deferredUntil} />`]] as Array<[string, unknown]>) : []),
        ["Traceback", html`<code>${hop.tracebackId}</code>`],
      ] as never
    }
  />`;
}

function Answered(props: { hop: HopRequest; receipt?: string | undefined; onAmended: (receipt?: string) => void }) {
  const { hop } = props;
  const session = useSession();
  const [amending, setAmending] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const amend = async (a: Answer) => {
    const parsed = NewAmendmentSchema.safeParse({ answer: a, reason: reason.trim() || undefined });
    if (!parsed.success) {
      setReasonError(errorsOf(parsed.error as never).reason ?? "Required");
      return;
    }
    setReasonError(undefined);
    const { data, error, response } = await session.api.POST("/v1/hop-requests/{hopId}/amendments", { params: { path: { hopId: hop.id } }, body: parsed.data });
    if (error || !data) throw new ApiError(response.status, error as never);
    setAmending(false);
    props.onAmended(response.headers.get("hoptrace-receipt") ?? undefined);
  };
  return html`<section aria-labelledby="answered-h">
    <h2 id="answered-h">Answer</h2>
    <p>Answered <${Time} iso=${hop.answeredAt} />${hop.late ? html` <${Badge} tone="bad">late<//>` : null}</p>
    <${AnswerView} answer=${hop.answer!} />
    ${props.receipt ? html`<details class="receipt" open><summary>Receipt from the hub</summary><p class="muted small">A JWS signed by the hub key over the response and your signature: keep it as proof of what you answered and when.</p><code class="wrap">${props.receipt}</code></details>` : null}
    ${
      hop.amendments?.length
        ? html`<h3>Amendments</h3><ol class="amendments">${hop.amendments.map((a) => html`<li><p><${Time} iso=${a.amendedAt} />: ${a.reason}</p><${AnswerView} answer=${a.answer} /></li>`)}</ol>`
        : null
    }
    ${
      amending
        ? html`<h3>Amend the answer</h3>
          <p class="muted">The original answer stays as it was; the amendment is kept beside it.</p>
          <${AnswerForm}
            idPrefix="amend"
            selfId=${session.identity.accountId}
            submitLabel="Send the amendment"
            onSubmit=${amend}
            extra=${html`<${Field} id="amend-reason" label="Why the answer changes" error=${reasonError} required=${true}>
              <textarea ...${described("amend-reason", reasonError)} rows="3" maxlength=${maxLengthOf(shapeOf(NewAmendmentSchema).reason!)} value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLTextAreaElement).value)}></textarea>
            <//>`}
          />`
        : html`<p><button onClick=${() => setAmending(true)}>Amend the answer…</button></p>`
    }
  </section>`;
}
