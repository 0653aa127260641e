/**
 * The answer to a hop request, for every answer type of the contract: the types, their fields,
 * which are required, their limits and choices are read from AnswerSchema, and what is entered
 * is checked by AnswerSchema before it is sent (the hub checks it again).
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { z } from "zod";
import { AnswerSchema } from "../../../http/schemas/answers.js";
import { call } from "../api.js";
import {
  choicesOf,
  errorsOf,
  formatOf,
  isRequired,
  kindOf,
  literalOf,
  localToOffsetTime,
  maxLengthOf,
  optionsOf,
  setPath,
  shapeOf,
  type FieldErrors,
} from "../contract-form.js";
import { html } from "../html.js";
import { AccountName } from "../names.js";
import { useSession } from "../session.js";
import { Field, ProblemBox, described, useAsync } from "../ui.js";

export type Answer = z.infer<typeof AnswerSchema>;

const TYPE_LABELS: Record<string, string> = {
  upstream_identified: "Another provider handed us the call (name the upstream)",
  originator_identified: "The call came from our customer (name the customer)",
  foreign_point_of_entry: "The call entered from abroad (name the foreign carrier)",
  no_record: "We have no record of the call",
  not_our_call: "The call did not pass through our network",
  insufficient_information: "The request lacks what we need to search",
  refused: "We refuse to answer",
};

const LABELS: Record<string, string> = {
  upstream: "Upstream provider",
  providerId: "Registered provider",
  name: "Name",
  frn: "FRN",
  rmdNumber: "RMD number",
  contact: "Contact",
  email: "E-mail",
  phone: "Phone",
  evidence: "Evidence",
  ingressTrunk: "Ingress trunk",
  callTimeSeen: "Call time in our records",
  sipCallId: "SIP Call-ID",
  identityHeader: "SIP Identity header received",
  notes: "Notes",
  customer: "Customer",
  accountReference: "Customer account reference",
  actionTaken: "Action taken with the customer",
  foreignProvider: "Foreign provider",
  country: "Country (ISO 3166-1 alpha-2, e.g. GB)",
  windowSearched: "Period searched",
  from: "From",
  to: "To",
  explanation: "Explanation",
  reason: "Reason",
};

const LONG_TEXT = 500;

const label = (path: string) => LABELS[path.split(".").pop()!] ?? path;
const idOf = (prefix: string, path: string) => `${prefix}-${path.replace(/\./g, "-")}`;

export const ANSWER_TYPES: string[] = optionsOf(AnswerSchema).map((o) => literalOf(shapeOf(o).type!));

function optionOf(type: string): z.ZodType {
  return optionsOf(AnswerSchema).find((o) => literalOf(shapeOf(o).type!) === type)!;
}

/** Values by dotted path; `@choice:<path>` holds which alternative of a union is meant. */
type Values = Record<string, string>;

/** Builds the answer from what was entered: empty fields are left out, empty optional groups too. */
function buildValue(schema: z.ZodType, values: Values, prefix = ""): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [key, field] of Object.entries(shapeOf(schema))) {
    const path = prefix ? `${prefix}.${key}` : key;
    const kind = kindOf(field);
    if (kind === "literal") {
      out[key] = literalOf(field);
      continue;
    }
    if (kind === "object" || kind === "union") {
      const target = kind === "union" ? optionsOf(field)[Number(values[`@choice:${path}`] ?? 0)]! : field;
      const inner = buildValue(target, values, path);
      if (inner) {
        out[key] = inner;
        any = true;
      } else if (isRequired(field)) {
        // An empty required group is sent empty, so the contract names the fields it lacks.
        out[key] = {};
      }
      continue;
    }
    const raw = values[path]?.trim();
    if (!raw) continue;
    setPath(out, key, formatOf(field) === "datetime" ? localToOffsetTime(raw) : raw);
    any = true;
  }
  return any || !prefix ? out : undefined;
}

interface Props {
  /** The provider answering, left out of its own choice of upstream. */
  selfId: string;
  submitLabel: string;
  onSubmit: (answer: Answer) => Promise<void>;
  /** Extra fields (an amendment's reason), validated by the caller. */
  extra?: ComponentChildren;
  idPrefix?: string;
}

export function AnswerForm(props: Props) {
  const prefix = props.idPrefix ?? "answer";
  const [type, setType] = useState<string>("");
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (path: string) => (event: Event) => setValues((v) => ({ ...v, [path]: (event.target as HTMLInputElement).value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    if (!type) {
      setErrors({ type: "Choose what you found" });
      return;
    }
    const parsed = AnswerSchema.safeParse(buildValue(optionOf(type), values));
    const found = errorsOf(parsed.error as never);
    setErrors(found);
    if (!parsed.success) {
      document.getElementById(`${prefix}-summary`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await props.onSubmit(parsed.data);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const fields = (schema: z.ZodType, path: string): ComponentChildren =>
    Object.entries(shapeOf(schema)).map(([key, field]) => {
      const p = path ? `${path}.${key}` : key;
      const kind = kindOf(field);
      if (kind === "literal") return null;
      if (kind === "object") {
        return html`<fieldset class="group"><legend>${label(p)}${isRequired(field) ? "" : html` <span class="muted">(optional)</span>`}</legend>${fields(field, p)}</fieldset>`;
      }
      if (kind === "union") return unionFields(p, field);
      return leaf(p, field);
    });

  // Plain functions, not components: a component defined here would be new on every render and remount its inputs.
  const leaf = (path: string, field: z.ZodType) => {
    const id = idOf(prefix, path);
    const error = errors[path];
    const common = { ...described(id, error), value: values[path] ?? "", onInput: set(path), onChange: set(path) };
    const choices = choicesOf(field);
    const max = maxLengthOf(field);
    let control;
    if (path.endsWith("providerId")) control = html`<${ProviderPicker} selfId=${props.selfId} ...${common} />`;
    else if (choices)
      control = html`<select ...${common}><option value="">Choose…</option>${choices.map((c) => html`<option value=${c}>${c}</option>`)}</select>`;
    else if (formatOf(field) === "datetime") control = html`<input type="datetime-local" step="1" ...${common} />`;
    else if (max !== undefined && max > LONG_TEXT) control = html`<textarea rows="3" maxlength=${max} ...${common}></textarea>`;
    else control = html`<input type=${formatOf(field) === "email" ? "email" : "text"} maxlength=${max} ...${common} />`;
    return html`<${Field} id=${id} label=${label(path)} error=${error} required=${isRequired(field)}>${control}<//>`;
  };

  const unionFields = (path: string, field: z.ZodType) => {
    const options = optionsOf(field);
    const choice = Number(values[`@choice:${path}`] ?? 0);
    const name = `${idOf(prefix, path)}-choice`;
    const caption = (o: z.ZodType) =>
      "providerId" in shapeOf(o) ? "A provider registered with Hoptrace" : "A provider not registered: by name, FRN or RMD number";
    return html`<fieldset class="group">
      <legend>${label(path)}</legend>
      <div class="choices">
        ${options.map(
          (o, i) =>
            html`<label class="choice"><input type="radio" name=${name} value=${String(i)} checked=${choice === i} onChange=${() => setValues((v) => ({ ...v, [`@choice:${path}`]: String(i) }))} /> ${caption(o)}</label>`,
        )}
      </div>
      ${errors[path] ? html`<p class="error">${errors[path]}</p>` : null}
      ${fields(options[choice]!, path)}
    </fieldset>`;
  };

  const errorList = Object.entries(errors);
  return html`<form class="stack answer-form" onSubmit=${submit} novalidate>
    <fieldset class="group">
      <legend>What did you find?<span class="req" aria-hidden="true"> *</span></legend>
      <div class="choices">
        ${ANSWER_TYPES.map(
          (t) =>
            html`<label class="choice"><input type="radio" name=${`${prefix}-type`} value=${t} checked=${type === t} onChange=${() => {
              setType(t);
              setErrors({});
            }} /> <span>${TYPE_LABELS[t] ?? t} <code class="small">${t}</code></span></label>`,
        )}
      </div>
      ${errors.type ? html`<p class="error" id=${`${prefix}-type-error`}>${errors.type}</p>` : null}
    </fieldset>
    ${type ? fields(optionOf(type), "") : null}
    ${props.extra}
    <div id=${`${prefix}-summary`} tabindex="-1" role=${errorList.length ? "alert" : undefined}>
      ${
        errorList.length
          ? html`<div class="problem"><p><strong>The answer is not complete</strong></p><ul>${errorList.map(([p, m]) => html`<li><a href=${`#${idOf(prefix, p)}`}>${p ? label(p) : "Answer"}</a>: ${m}</li>`)}</ul></div>`
          : null
      }
    </div>
    ${failure ? html`<${ProblemBox} error=${failure} />` : null}
    <div><button class="primary" type="submit" disabled=${busy}>${busy ? "Sending…" : props.submitLabel}</button></div>
  </form>`;
}

/** The registered providers to choose an upstream from (the directory every participant may read). */
function ProviderPicker(props: Record<string, unknown> & { selfId: string }) {
  const { api } = useSession();
  const { selfId, ...rest } = props;
  const providers = useAsync(async () => {
    const all: Array<{ id: string; name: string; frn?: string }> = [];
    let cursor: string | undefined;
    do {
      const page = await call(api.GET("/v1/providers", { params: { query: { limit: 100, ...(cursor && { cursor }) } } }));
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && all.length < 1000);
    return all.filter((p) => p.id !== selfId).sort((a, b) => a.name.localeCompare(b.name));
  }, []);
  return html`<select ...${rest}>
    <option value="">${providers.data ? "Choose the provider…" : "Loading the providers…"}</option>
    ${(providers.data ?? []).map((p) => html`<option value=${p.id}>${p.name}${p.frn ? ` (FRN ${p.frn})` : ""}</option>`)}
  </select>`;
}

/** An answer as text, for the hop's own page and the chain. */
export function AnswerView(props: { answer: Answer }) {
  const rows: Array<[string, string]> = [];
  const walk = (value: unknown, path: string) => {
    if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    else if (path !== "type") rows.push([path, String(value)]);
  };
  walk(props.answer, "");
  return html`<div class="answer">
    <p><strong>${props.answer.type.replace(/_/g, " ")}</strong></p>
    <dl class="kv compact">${rows.map(
      ([p, v]) =>
        html`<div><dt>${p
          .split(".")
          .map((part) => LABELS[part] ?? part)
          .join(" › ")}</dt><dd>${p.endsWith("providerId") ? html`<${AccountName} id=${v} link=${true} />` : v}</dd></div>`,
    )}</dl>
  </div>`;
}
