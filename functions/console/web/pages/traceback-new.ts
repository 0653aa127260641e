/** Starting a traceback: the captured call, its SIP Identity headers and a link to the recording. */
import { useState } from "preact/hooks";
import { CreateTracebackSchema } from "../../../http/schemas/tracebacks.js";
import { ApiError, call } from "../api.js";
import { choicesOf, errorsOf, isRequired, localToOffsetTime, maxLengthOf, schemaAt, type FieldErrors } from "../contract-form.js";
import { html } from "../html.js";
import { splitIdentityHeaders } from "../identity-headers.js";
import { navigate } from "../router.js";
import { useSession } from "../session.js";
import { Field, Page, ProblemBox, described, useAsync } from "../ui.js";

const TEXT_FIELDS = [
  { name: "callingNumber", label: "Calling number (as displayed)", hint: "As captured, even if spoofed or withheld: e.g. +1 305 555 0123 or anonymous." },
  { name: "calledNumber", label: "Called number", hint: "The number that received the call." },
  { name: "campaign", label: "Campaign label" },
  { name: "mediaUrl", label: "Recording or transcript link", type: "url" },
] as const;

export function NewTracebackPage() {
  const { api, kind } = useSession();
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const providers = useAsync(
    async () => (await call(api.GET("/v1/providers", { params: { query: { limit: 100 } } }))).items.sort((a, b) => a.name.localeCompare(b.name)),
    [],
  );
  const initiators = useAsync(
    async () => (kind === "consortium" ? (await call(api.GET("/v1/initiators", { params: { query: { limit: 100 } } }))).items : []),
    [kind],
  );
  const set = (name: string) => (event: Event) => setValues((v) => ({ ...v, [name]: (event.target as HTMLInputElement).value }));
  const field = (name: string) => schemaAt(CreateTracebackSchema, name)!;

  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) if (v.trim() && k !== "identityHeaders" && k !== "callTime") body[k] = v.trim();
    if (values.callTime) body.callTime = localToOffsetTime(values.callTime);
    const headers = splitIdentityHeaders(values.identityHeaders ?? "");
    if (headers.length) body.identityHeaders = headers;
    const parsed = CreateTracebackSchema.safeParse(body);
    const found = errorsOf(parsed.error as never);
    // The headers' errors point at one of them; the form has one box for all.
    for (const key of Object.keys(found))
      if (key.startsWith("identityHeaders.")) found.identityHeaders ??= `Header ${Number(key.split(".")[1]) + 1}: ${found[key]}`;
    setErrors(found);
    if (!parsed.success) return;
    setBusy(true);
    try {
      const { data, error, response } = await api.POST("/v1/tracebacks", { body: parsed.data });
      if (error || !data) throw new ApiError(response.status, error as never);
      navigate(`tracebacks/${data.traceback.id}`);
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };

  const input = (name: string, type = "text") => html`<input
    ...${described(`tb-${name}`, errors[name])}
    type=${type}
    maxlength=${maxLengthOf(field(name))}
    value=${values[name] ?? ""}
    onInput=${set(name)}
  />`;
  const policies = choicesOf(field("deadlinePolicy")) ?? [];

  return html`<${Page} title="New traceback">
    <form class="stack narrow" onSubmit=${submit} novalidate>
      ${TEXT_FIELDS.slice(0, 2).map((f) => html`<${Field} id=${`tb-${f.name}`} label=${f.label} hint=${"hint" in f ? f.hint : undefined} error=${errors[f.name]} required=${isRequired(field(f.name))}>${input(f.name)}<//>`)}
      <${Field} id="tb-callTime" label="Call time (your local time)" error=${errors.callTime} required=${isRequired(field("callTime"))}>
        <input ...${described("tb-callTime", errors.callTime)} type="datetime-local" step="1" value=${values.callTime ?? ""} onInput=${set("callTime")} />
      <//>
      <${Field} id="tb-terminatingProviderId" label="Terminating provider" hint="The provider that delivered the call to the called party: it is asked first." error=${errors.terminatingProviderId} required=${true}>
        <select ...${described("tb-terminatingProviderId", errors.terminatingProviderId, "x")} value=${values.terminatingProviderId ?? ""} onChange=${set("terminatingProviderId")}>
          <option value="">${providers.data ? "Choose…" : "Loading the providers…"}</option>
          ${(providers.data ?? []).map((p) => html`<option value=${p.id}>${p.name}${p.frn ? ` (FRN ${p.frn})` : ""}</option>`)}
        </select>
      <//>
      ${
        kind === "consortium"
          ? html`<${Field} id="tb-initiatorId" label="On behalf of (optional)" error=${errors.initiatorId}>
            <select ...${described("tb-initiatorId", errors.initiatorId)} value=${values.initiatorId ?? ""} onChange=${set("initiatorId")}>
              <option value="">The consortium itself</option>
              ${(initiators.data ?? []).map((i) => html`<option value=${i.id}>${i.name}</option>`)}
            </select>
          <//>`
          : null
      }
      ${TEXT_FIELDS.slice(2).map((f) => html`<${Field} id=${`tb-${f.name}`} label=${f.label} error=${errors[f.name]}>${input(f.name, "type" in f ? f.type : "text")}<//>`)}
      <${Field} id="tb-identityHeaders" label="SIP Identity headers" hint="Paste the Identity headers of the captured call, one per line (with or without “Identity:”)." error=${errors.identityHeaders}>
        <textarea ...${described("tb-identityHeaders", errors.identityHeaders, "x")} rows="5" spellcheck="false" value=${values.identityHeaders ?? ""} onInput=${set("identityHeaders")}></textarea>
      <//>
      <${Field} id="tb-notes" label="Notes" error=${errors.notes}>
        <textarea ...${described("tb-notes", errors.notes)} rows="3" maxlength=${maxLengthOf(field("notes"))} value=${values.notes ?? ""} onInput=${set("notes")}></textarea>
      <//>
      <${Field} id="tb-deadlinePolicy" label="Deadline policy" error=${errors.deadlinePolicy}>
        <select ...${described("tb-deadlinePolicy", errors.deadlinePolicy)} value=${values.deadlinePolicy ?? ""} onChange=${set("deadlinePolicy")}>
          <option value="">The hub's default</option>
          ${policies.map((p) => html`<option value=${p}>${p}</option>`)}
        </select>
      <//>
      ${Object.keys(errors).length ? html`<p class="error" role="alert">Check the fields marked above.</p>` : null}
      ${failure ? html`<${ProblemBox} error=${failure} />` : null}
      <div><button class="primary" type="submit" disabled=${busy}>${busy ? "Starting…" : "Start the traceback"}</button></div>
    </form>
  <//>`;
}
