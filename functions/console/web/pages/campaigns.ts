/**
 * Campaigns, for the consortium's analysts: the groups the clustering placed tracebacks in, why
 * each traceback is in its group, who carried and signed the calls, and the analyst's decisions
 * (name, confirm, move tracebacks into a new campaign, merge others into it).
 */
import { useState } from "preact/hooks";
import { RenameCampaignSchema } from "../../../http/schemas/campaigns.js";
import { ApiError, call, type Schemas } from "../api.js";
import { maxLengthOf } from "../contract-form.js";
import { html } from "../html.js";
import { AccountName } from "../names.js";
import { navigate } from "../router.js";
import { useSession } from "../session.js";
import { Async, Badge, Field, OutcomeBadge, Page, ProblemBox, StatusBadge, TableWrap, Time, described, useAsync, useCursorPages } from "../ui.js";
import { Pager } from "./inbox.js";

type Campaign = Schemas["Campaign"];
type CampaignView = Schemas["CampaignView"];
type Member = CampaignView["members"][number];

const SIGNAL_LABELS: Record<string, string> = {
  transcript: "similar transcript",
  calling_number: "same calling number",
  number_block: "same thousand-block",
  signer_origid: "same signer origination id",
  signer_certificate: "same signing certificate",
  originator_customer: "same originating customer",
  analyst: "moved by an analyst",
};

const signalText = (s: Member["signals"][number]) =>
  `${SIGNAL_LABELS[s.signal] ?? s.signal}${s.value ? ` (${s.value})` : ""}${s.similarity !== undefined ? ` (${Math.round(s.similarity * 100)}%)` : ""}`;

const campaignTitle = (c: Campaign) => c.name ?? `Campaign ${c.id}`;

export function CampaignsPage() {
  const { api } = useSession();
  const { cursor, next, previous } = useCursorPages();
  const state = useAsync(() => call(api.GET("/v1/campaigns", { params: { query: { limit: 25, ...(cursor && { cursor }) } } })), [cursor]);
  return html`<${Page} title="Campaigns">
    <p class="muted">Groups of tracebacks the clustering found alike, newest first. A decided campaign keeps its tracebacks as an analyst left them.</p>
    <${Async} state=${state} what="the campaigns">
      ${(page: { items: Campaign[]; nextCursor?: string }) =>
        page.items.length
          ? html`<${TableWrap} label="Campaigns">
                <table class="cards">
                  <thead><tr><th scope="col">Campaign</th><th scope="col">Calls</th><th scope="col">Decided</th><th scope="col">Created</th></tr></thead>
                  <tbody>${page.items.map(
                    (c) => html`<tr>
                      <td data-label="Campaign"><a class=${c.name ? "" : "wrap"} href=${`campaigns/${c.id}`}>${c.name ?? c.id}</a>${c.name ? html`<br /><span class="muted small wrap">${c.id}</span>` : null}</td>
                      <td data-label="Calls">${c.calls}${c.absorbed?.length ? html` <span class="muted small">(+${c.absorbed.length} merged)</span>` : null}</td>
                      <td data-label="Decided">${c.decided ? html`<${Badge} tone="good">decided<//>` : html`<${Badge} tone="neutral">clustering<//>`}</td>
                      <td data-label="Created"><${Time} iso=${c.createdAt} /></td>
                    </tr>`,
                  )}</tbody>
                </table>
              <//>
              <${Pager} next=${page.nextCursor} onNext=${next} onPrevious=${previous} />`
          : html`<p class="empty">No campaign yet: tracebacks are placed in one as they are created.</p>`}
    <//>
  <//>`;
}

export function CampaignPage(props: { id: string }) {
  const { api } = useSession();
  const state = useAsync(() => call(api.GET("/v1/campaigns/{campaignId}", { params: { path: { campaignId: props.id } } })), [props.id]);
  // The forms are keyed by the campaign, so moving to another (after a split) starts them afresh.
  return html`<${Async} state=${state} what="the campaign">
    ${(
      v: CampaignView,
    ) => html`<${Page} title=${campaignTitle(v.campaign)} actions=${v.campaign.decided ? html`<${Badge} tone="good">decided<//>` : html`<${Badge} tone="neutral">clustering<//>`}>
      ${v.requestedId ? html`<p class="notice" role="status">${v.requestedId} was merged into this campaign.</p>` : null}
      <p>${v.tracebacks} traceback${v.tracebacks === 1 ? "" : "s"}, ${v.campaign.calls} call${v.campaign.calls === 1 ? "" : "s"} placed directly${v.campaign.absorbed?.length ? `; absorbed ${v.campaign.absorbed.join(", ")}` : ""}.${v.truncated ? " The figures cover its first 2,000 calls." : ""}</p>
      <${Decisions} key=${v.campaign.id} view=${v} onChange=${state.reload} />
      <${Members} key=${v.campaign.id} view=${v} onChange=${state.reload} />
      <section aria-labelledby="cr-h"><h2 id="cr-h">Why they are together</h2>
        ${
          v.reasons.length
            ? html`<ul class="plain">${v.reasons.map((r) => html`<li><strong>${SIGNAL_LABELS[r.signal] ?? r.signal}</strong>: ${r.links} link${r.links === 1 ? "" : "s"}${r.values?.length ? html` — <span class="muted">${r.values.join(", ")}</span>` : null}</li>`)}</ul>`
            : html`<p class="empty">A single traceback, linked to no other yet.</p>`
        }
      </section>
      <div class="columns">
        <${Counted} id="co" title="Originators" head=${["Provider", "Customer", "Tracebacks"]} rows=${v.originators.map((o) => [html`<${AccountName} id=${o.providerId} link=${true} />`, o.customer, o.tracebacks])} />
        <${Counted} id="cp" title="Providers on its paths" head=${["Provider", "Tracebacks"]} rows=${v.providers.map((p) => [html`<${AccountName} id=${p.providerId} link=${true} />`, p.tracebacks])} />
        <${Counted} id="ce" title="Points of entry" head=${["Provider", "Tracebacks"]} rows=${v.pointsOfEntry.map((p) => [html`<${AccountName} id=${p.providerId} link=${true} />`, p.tracebacks])} />
        <${Counted}
          id="cs"
          title="Signers"
          head=${["Signer", "Calls"]}
          rows=${v.signers.map((s) => [
            html`${s.signerProviderId ? html`<${AccountName} id=${s.signerProviderId} link=${true} />` : null}${s.spc ? html` SPC <code>${s.spc}</code>` : null}${s.certificateSha256 ? html` <span class="muted small hash">cert ${s.certificateSha256.slice(0, 16)}…</span>` : null}`,
            s.calls,
          ])}
        />
        <${Counted} id="cn" title="Calling numbers" head=${["Number", "Calls"]} rows=${v.callingNumbers.map((n) => [html`<span class="nowrap">${n.number}</span>`, n.calls])} />
        <${Counted} id="cd" title="Calls per day" head=${["Day (UTC)", "Calls"]} rows=${v.perDay.map((d) => [html`<span class="nowrap">${d.day}</span>`, d.calls])} />
        <${Counted} id="cx" title="Outcomes" head=${["Outcome", "Tracebacks"]} rows=${v.outcomes.map((o) => [html`<${OutcomeBadge} outcome=${o.outcome} />`, o.tracebacks])} />
      </div>
      ${
        v.campaign.decisions.length
          ? html`<section aria-labelledby="ch-h"><h2 id="ch-h">Decisions</h2>
            <ul class="plain">${v.campaign.decisions.map((d) => html`<li><${Time} iso=${d.at} />: ${d.kind.replace(/_/g, " ")} by ${d.by === "clustering" ? "the clustering" : html`<${AccountName} id=${d.by} />`}${d.detail ? ` — ${d.detail}` : ""}</li>`)}</ul>
          </section>`
          : null
      }
    <//>`}
  <//>`;
}

/** A small table of counted rows, or a line saying there is none. */
function Counted(props: { id: string; title: string; head: string[]; rows: unknown[][] }) {
  return html`<section aria-labelledby=${`${props.id}-h`} class="counted">
    <h2 id=${`${props.id}-h`}>${props.title}</h2>
    ${
      props.rows.length
        ? html`<table class="compact">
          <thead><tr>${props.head.map((h, i) => html`<th scope="col" class=${i === props.head.length - 1 ? "num" : ""}>${h}</th>`)}</tr></thead>
          <tbody>${props.rows.map((r) => html`<tr>${r.map((cell, i) => html`<td class=${i === r.length - 1 ? "num" : ""}>${cell}</td>`)}</tr>`)}</tbody>
        </table>`
        : html`<p class="empty">None.</p>`
    }
  </section>`;
}

/** The campaign's tracebacks, why each is in it, and the choice of some to move into a new campaign. */
function Members(props: { view: CampaignView; onChange: () => void }) {
  const { api } = useSession();
  const v = props.view;
  const [chosen, setChosen] = useState<string[]>([]);
  const [failure, setFailure] = useState<unknown>(undefined);
  const toggle = (id: string, on: boolean) => setChosen((c) => (on ? [...c, id] : c.filter((x) => x !== id)));
  const split = async () => {
    setFailure(undefined);
    const res = await api.POST("/v1/campaigns/{campaignId}/split", { params: { path: { campaignId: v.campaign.id } }, body: { tracebackIds: chosen } });
    if (res.error) setFailure(new ApiError(res.response.status, res.error as never));
    else navigate(`campaigns/${res.data.campaign.id}`);
  };
  return html`<section aria-labelledby="cm-h">
    <h2 id="cm-h">Tracebacks</h2>
    <${TableWrap} label="The campaign's tracebacks">
      <table class="cards">
        <thead><tr><th scope="col"><span class="sr-only">Choose</span></th><th scope="col">Traceback</th><th scope="col">Call</th><th scope="col">Why it is in</th><th scope="col">Status</th></tr></thead>
        <tbody>${v.members.map(
          (m) => html`<tr>
            <td data-label="Choose"><input type="checkbox" id=${`pick-${m.tracebackId}`} aria-label=${`Choose ${m.tracebackId}`} checked=${chosen.includes(m.tracebackId)} onChange=${(e: Event) => toggle(m.tracebackId, (e.target as HTMLInputElement).checked)} /></td>
            <td data-label="Traceback"><a class="wrap" href=${`tracebacks/${m.tracebackId}`}>${m.tracebackId}</a>${m.campaignId !== v.campaign.id ? html`<br /><span class="muted small wrap">from ${m.campaignId}</span>` : null}</td>
            <td data-label="Call">${m.callingNumber ? html`<span class="nowrap">${m.callingNumber}</span><br />` : null}<span class="muted small"><${Time} iso=${m.callTime} /></span></td>
            <td data-label="Why it is in">${
              m.signals.length
                ? html`${m.signals.map(signalText).join("; ")}${m.linkedTo ? html` <span class="muted small">with <a class="wrap" href=${`tracebacks/${m.linkedTo}`}>${m.linkedTo}</a></span>` : null}`
                : html`<span class="muted">founded it</span>`
            }<br /><span class="muted small">placed by ${m.assignedBy === "clustering" ? "the clustering" : html`<${AccountName} id=${m.assignedBy} />`}</span></td>
            <td data-label="Status">${m.status ? html`<${StatusBadge} status=${m.status} />` : null}${m.outcome ? html` <${OutcomeBadge} outcome=${m.outcome} />` : null}</td>
          </tr>`,
        )}</tbody>
      </table>
    <//>
    ${
      v.members.length > 1
        ? html`<p class="form-actions"><button type="button" disabled=${!chosen.length || chosen.length >= v.members.length} onClick=${split}>Move ${chosen.length || "the chosen"} into a new campaign</button></p>`
        : null
    }
    ${failure ? html`<${ProblemBox} error=${failure} />` : null}
  </section>`;
}

const NAME_MAX = maxLengthOf(RenameCampaignSchema.shape.name) ?? 200;

/** Name, confirm, and merge others into it. */
function Decisions(props: { view: CampaignView; onChange: () => void }) {
  const { api } = useSession();
  const c = props.view.campaign;
  const [name, setName] = useState(c.name ?? "");
  const [merge, setMerge] = useState("");
  const [failure, setFailure] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const after = (what: string) => (res: { error?: unknown; response: Response }) => {
    if (res.error) setFailure(new ApiError(res.response.status, res.error as never));
    else {
      setDone(what);
      props.onChange();
    }
  };
  const path = { path: { campaignId: c.id } };
  const rename = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    setDone(undefined);
    const parsed = RenameCampaignSchema.safeParse({ name: name.trim() });
    if (!parsed.success) return setFailure(new Error("Give the campaign a name of 1 to 200 characters."));
    after(`Named “${parsed.data.name}”.`)(await api.POST("/v1/campaigns/{campaignId}/rename", { params: path, body: parsed.data }));
  };
  const confirm = async () => {
    setFailure(undefined);
    setDone(undefined);
    after("Confirmed: the clustering will not fold it into another.")(await api.POST("/v1/campaigns/{campaignId}/confirm", { params: path }));
  };
  const mergeIn = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    setDone(undefined);
    const ids = merge.split(/[\s,]+/).filter(Boolean);
    if (!ids.length) return setFailure(new Error("Name at least one campaign id to merge into this one."));
    after(`Merged ${ids.join(", ")} into it.`)(await api.POST("/v1/campaigns/{campaignId}/merge", { params: path, body: { campaignIds: ids } }));
    setMerge("");
  };
  return html`<section aria-labelledby="cdec-h" class="decide">
    <h2 id="cdec-h">Decide</h2>
    <form class="inline-form" onSubmit=${rename}>
      <${Field} id="campaign-name" label="Name"><input ...${described("campaign-name")} value=${name} maxlength=${NAME_MAX} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /><//>
      <button class="primary" type="submit">Rename</button>
    </form>
    ${c.decided ? null : html`<p><button type="button" onClick=${confirm}>Confirm the campaign</button></p>`}
    <form class="inline-form" onSubmit=${mergeIn}>
      <${Field} id="campaign-merge" label="Merge campaigns into this one" hint="Their ids, separated by spaces or commas."><input ...${described("campaign-merge", undefined, "hint")} value=${merge} onInput=${(e: Event) => setMerge((e.target as HTMLInputElement).value)} /><//>
      <button type="submit">Merge</button>
    </form>
    ${done ? html`<p class="notice" role="status">${done}</p>` : null}
    ${failure ? html`<${ProblemBox} error=${failure} />` : null}
  </section>`;
}
