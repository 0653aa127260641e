/** The console's small set of building blocks: page frame, fields, problems, times, badges, loading. */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.js";
import { html } from "./html.js";

export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Hoptrace console`;
    // A new page moves focus to its heading, so keyboard and screen-reader users start there.
    heading.current?.focus({ preventScroll: true });
  }, [props.title]);
  return html`<section class="page">
    <div class="page-head"><h1 tabindex="-1" ref=${heading}>${props.title}</h1>${props.actions ? html`<div class="actions">${props.actions}</div>` : null}</div>
    ${props.children}
  </section>`;
}

export interface AsyncState<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` whenever `deps` change; a result that arrives after a newer request is dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Cursor paging: the current page's cursor, and the way forward and back. */
export function useCursorPages(): { cursor?: string | undefined; next: (cursor: string) => void; previous?: (() => void) | undefined } {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors[cursors.length - 1],
    next: (c) => setCursors((cs) => [...cs, c]),
    previous: cursors.length ? () => setCursors((cs) => cs.slice(0, -1)) : undefined,
  };
}

export function Loading(props: { what?: string }) {
  return html`<p class="muted" role="status">Loading${props.what ? ` ${props.what}` : ""}…</p>`;
}

export function describeError(error: unknown): {
  title: string;
  detail: string;
  code?: string;
  requestId?: string;
  pointers?: Array<{ pointer: string; detail: string }>;
} {
  if (error instanceof ApiError) {
    const p = error.problem ?? {};
    return {
      title: error.status === 404 ? "Not found" : (p.title ?? `Error ${error.status}`),
      detail: p.detail ?? error.message,
      ...(p.code && { code: p.code }),
      ...(p.request_id && { requestId: p.request_id }),
      ...(p.errors && { pointers: p.errors }),
    };
  }
  return { title: "Something went wrong", detail: error instanceof Error ? error.message : String(error) };
}

export function ProblemBox(props: { error: unknown }) {
  const d = describeError(props.error);
  return html`<div class="problem" role="alert">
    <p><strong>${d.title}</strong>${d.code ? html` <code>${d.code}</code>` : null}</p>
    <p>${d.detail}</p>
    ${d.pointers?.length ? html`<ul>${d.pointers.map((e) => html`<li><code>${e.pointer}</code>: ${e.detail}</li>`)}</ul>` : null}
    ${d.requestId ? html`<p class="muted small">Request ${d.requestId}</p>` : null}
  </div>`;
}

/** Loading, error or the content, for a state from useAsync. */
export function Async<T>(props: { state: AsyncState<T>; what?: string; children: (data: T) => ComponentChildren }) {
  const { state } = props;
  if (state.error) return html`<${ProblemBox} error=${state.error} />`;
  if (state.data === undefined) return html`<${Loading} what=${props.what} />`;
  return html`${props.children(state.data)}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function Time(props: { iso?: string | undefined }) {
  if (!props.iso) return html`<span class="muted">—</span>`;
  const d = new Date(props.iso);
  return html`<time datetime=${props.iso} title=${props.iso}>${Number.isNaN(d.getTime()) ? props.iso : dateTime.format(d)}</time>`;
}

/** "in 3 h 20 min" or "overdue by 2 h". */
export function timeLeft(dueAt: string, now = Date.now()): { text: string; overdue: boolean } {
  const ms = Date.parse(dueAt) - now;
  const abs = Math.abs(ms);
  const minutes = Math.round(abs / 60_000);
  const span = minutes < 60 ? `${minutes} min` : minutes < 48 * 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.round(minutes / 1440)} days`;
  return ms >= 0 ? { text: `${span} left`, overdue: false } : { text: `overdue by ${span}`, overdue: true };
}

export type Tone = "neutral" | "good" | "warn" | "bad" | "info";

export function Badge(props: { tone?: Tone; children: ComponentChildren }) {
  return html`<span class=${`badge ${props.tone ?? "neutral"}`}>${props.children}</span>`;
}

export function StatusBadge(props: { status: string }) {
  const tone: Record<string, Tone> = {
    open: "info",
    waiting_on_provider: "warn",
    completed: "good",
    answered: "good",
    awaiting_registration: "warn",
    deferred: "neutral",
    cancelled: "neutral",
  };
  return html`<${Badge} tone=${tone[props.status] ?? "neutral"}>${props.status.replace(/_/g, " ")}<//>`;
}

export function OutcomeBadge(props: { outcome?: string | undefined }) {
  if (!props.outcome) return html`<span class="muted">—</span>`;
  const good = ["originator_found", "point_of_entry_found"];
  const bad = ["non_responsive_provider", "loop_detected"];
  const tone: Tone = good.includes(props.outcome) ? "good" : bad.includes(props.outcome) ? "bad" : "neutral";
  return html`<${Badge} tone=${tone}>${props.outcome.replace(/_/g, " ")}<//>`;
}

export function SeverityBadge(props: { severity: string }) {
  const tone: Record<string, Tone> = { critical: "bad", warning: "warn", info: "info" };
  return html`<${Badge} tone=${tone[props.severity] ?? "neutral"}>${props.severity}<//>`;
}

/** A labelled form control with its hint and error, wired for assistive technology. */
export function Field(props: { id: string; label: string; error?: string | undefined; hint?: string; required?: boolean; children: ComponentChildren }) {
  return html`<div class=${`field${props.error ? " invalid" : ""}`}>
    <label for=${props.id}>${props.label}${props.required ? html`<span class="req" aria-hidden="true"> *</span>` : null}</label>
    ${props.hint ? html`<p class="hint" id=${`${props.id}-hint`}>${props.hint}</p>` : null}
    ${props.children}
    ${props.error ? html`<p class="error" id=${`${props.id}-error`}>${props.error}</p>` : null}
  </div>`;
}

/** The aria attributes of a control inside Field. */
export function described(id: string, error?: string, hint?: string): Record<string, string | boolean> {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { id, ...(ids && { "aria-describedby": ids }), ...(error && { "aria-invalid": "true" }) };
}

/** A wide table that scrolls sideways on a narrow screen, reachable by keyboard. */
export function TableWrap(props: { label: string; children: ComponentChildren }) {
  return html`<div class="table-wrap" role="region" aria-label=${props.label} tabindex="0">${props.children}</div>`;
}

export function KeyValues(props: { rows: Array<[string, ComponentChildren]> }) {
  return html`<dl class="kv">${props.rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v ?? html`<span class="muted">—</span>`}</dd></div>`)}</dl>`;
}

export function seconds(value?: number): string {
  if (value === undefined) return "—";
  if (value < 90) return `${Math.round(value)} s`;
  if (value < 5400) return `${Math.round(value / 60)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}
