/** A provider's webhook endpoints: register, rotate the secret, see every attempt, send a test event. */
import { useState } from "preact/hooks";
import { NewEndpointSchema } from "../../../http/schemas/webhooks.js";
import { ApiError, call, type Schemas } from "../api.js";
import { choicesOf, errorsOf, maxLengthOf, schemaAt, type FieldErrors } from "../contract-form.js";
import { html } from "../html.js";
import { useSession } from "../session.js";
import { Async, Badge, Field, KeyValues, Page, ProblemBox, TableWrap, Time, described, useAsync, type Tone } from "../ui.js";

type Endpoint = Schemas["WebhookEndpoint"];
type Delivery = Schemas["Delivery"];

const STATUS_TONE: Record<string, Tone> = { active: "good", paused: "bad", disabled: "neutral" };

export function EndpointStatus(props: { endpoint: Endpoint }) {
  return html`<${Badge} tone=${STATUS_TONE[props.endpoint.status] ?? "neutral"}>${props.endpoint.status}<//>`;
}

function Secret(props: { secret: string }) {
  return html`<div class="notice" role="status"><p><strong>The endpoint's signing secret</strong> — shown only now. Store it where your receiver reads it.</p><code class="wrap">${props.secret}</code></div>`;
}

export function EndpointsPage() {
  const { api } = useSession();
  const state = useAsync(() => call(api.GET("/v1/webhook-endpoints", { params: { query: { limit: 100 } } })), []);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  return html`<${Page} title="Webhooks">
    <p class="muted">Your system is told of every hop request by a signed webhook. Without an active endpoint, the hub e-mails your people instead.</p>
    <${Async} state=${state} what="the endpoints">
      ${(page: { items: Endpoint[] }) =>
        page.items.length
          ? html`<${TableWrap} label="Webhook endpoints"><table>
              <thead><tr><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Events</th><th scope="col">Failures</th><th scope="col">Created</th></tr></thead>
              <tbody>${page.items.map(
                (
                  e,
                ) => html`<tr><td><a href=${`webhooks/${e.id}`} class="wrap">${e.url}</a>${e.description ? html`<br /><span class="muted small">${e.description}</span>` : null}</td>
                  <td><${EndpointStatus} endpoint=${e} />${e.statusReason ? html`<br /><span class="small">${e.statusReason}</span>` : null}</td>
                  <td class="small">${e.eventTypes.join(", ")}</td><td>${e.consecutiveFailures}${e.failingSince ? html`<br /><span class="small">since <${Time} iso=${e.failingSince} /></span>` : null}</td><td><${Time} iso=${e.createdAt} /></td></tr>`,
              )}</tbody></table><//>`
          : html`<p class="empty">No webhook endpoint yet.</p>`}
    <//>
    ${secret ? html`<${Secret} secret=${secret} />` : null}
    <${NewEndpoint} onCreated=${(s: string) => {
      setSecret(s);
      state.reload();
    }} />
  <//>`;
}

function NewEndpoint(props: { onCreated: (secret: string) => void }) {
  const { api } = useSession();
  const eventTypes = choicesOf((schemaAt(NewEndpointSchema, "eventTypes") as unknown as { element: never }).element) ?? [];
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [types, setTypes] = useState<string[]>(eventTypes.filter((t) => t.startsWith("hop_request.")));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    const parsed = NewEndpointSchema.safeParse({ url: url.trim(), eventTypes: types, ...(description.trim() && { description: description.trim() }) });
    setErrors(errorsOf(parsed.error as never));
    if (!parsed.success) return;
    const { data, error, response } = await api.POST("/v1/webhook-endpoints", { body: parsed.data });
    if (error || !data) return setFailure(new ApiError(response.status, error as never));
    setUrl("");
    setDescription("");
    props.onCreated(data.secret);
  };
  return html`<section aria-labelledby="new-ep-h"><h2 id="new-ep-h">Register an endpoint</h2>
    <form class="stack narrow" onSubmit=${submit} novalidate>
      <${Field} id="ep-url" label="URL" error=${errors.url} required=${true} hint="HTTPS on AWS; the hub refuses private and metadata addresses.">
        <input ...${described("ep-url", errors.url, "x")} type="url" maxlength=${maxLengthOf(schemaAt(NewEndpointSchema, "url")!)} value=${url} onInput=${(e: Event) => setUrl((e.target as HTMLInputElement).value)} />
      <//>
      <fieldset class="group"><legend>Events</legend>
        <div class="choices">${eventTypes.map(
          (t) =>
            html`<label class="choice"><input type="checkbox" checked=${types.includes(t)} onChange=${(e: Event) => setTypes((ts) => ((e.target as HTMLInputElement).checked ? [...ts, t] : ts.filter((x) => x !== t)))} /> <code>${t}</code></label>`,
        )}</div>
        ${errors.eventTypes ? html`<p class="error">${errors.eventTypes}</p>` : null}
      </fieldset>
      <${Field} id="ep-description" label="Description" error=${errors.description}>
        <input ...${described("ep-description", errors.description)} maxlength=${maxLengthOf(schemaAt(NewEndpointSchema, "description")!)} value=${description} onInput=${(e: Event) => setDescription((e.target as HTMLInputElement).value)} />
      <//>
      ${failure ? html`<${ProblemBox} error=${failure} />` : null}
      <div><button class="primary" type="submit">Register the endpoint</button></div>
    </form>
  </section>`;
}

export function EndpointPage(props: { id: string }) {
  const { api } = useSession();
  const endpoint = useAsync(() => call(api.GET("/v1/webhook-endpoints/{endpointId}", { params: { path: { endpointId: props.id } } })), [props.id]);
  const deliveries = useAsync(
    () => call(api.GET("/v1/webhook-endpoints/{endpointId}/deliveries", { params: { path: { endpointId: props.id }, query: { limit: 25 } } })),
    [props.id],
  );
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const path = { params: { path: { endpointId: props.id } } };
  const act = async (run: () => Promise<{ data?: unknown; error?: unknown; response: Response }>, done: (data: never) => void) => {
    setFailure(undefined);
    setNote(undefined);
    const { data, error, response } = await run();
    if (error) return setFailure(new ApiError(response.status, error as never));
    done(data as never);
    endpoint.reload();
    deliveries.reload();
  };
  return html`<${Async} state=${endpoint} what="the endpoint">
    ${(e: Endpoint) => html`<${Page} title="Webhook endpoint" actions=${html`<${EndpointStatus} endpoint=${e} />`}>
      <${KeyValues}
        rows=${
          [
            ["URL", html`<span class="wrap">${e.url}</span>`],
            ["Events", e.eventTypes.join(", ")],
            ["Status", e.statusReason ? `${e.status}: ${e.statusReason}` : e.status],
            ["Consecutive failures", String(e.consecutiveFailures)],
            ["Created", html`<${Time} iso=${e.createdAt} />`],
          ] as never
        }
      />
      <div class="toolbar">
        <button onClick=${() =>
          act(
            () => api.POST("/v1/webhook-endpoints/{endpointId}/test", path as never),
            () => setNote("A test event is on its way; its attempt appears below."),
          )}>Send a test event</button>
        <button onClick=${() =>
          act(
            () => api.POST("/v1/webhook-endpoints/{endpointId}/rotate-secret", path as never),
            (d: { secret: string }) => setSecret(d.secret),
          )}>Rotate the secret</button>
        ${
          e.status === "active"
            ? html`<button onClick=${() =>
                act(
                  () => api.POST("/v1/webhook-endpoints/{endpointId}/disable", path as never),
                  () => undefined,
                )}>Disable</button>`
            : html`<button onClick=${() =>
                act(
                  () => api.POST("/v1/webhook-endpoints/{endpointId}/enable", path as never),
                  () => undefined,
                )}>Enable</button>`
        }
      </div>
      ${note ? html`<p role="status">${note}</p>` : null}
      ${secret ? html`<${Secret} secret=${secret} /><p class="muted small">The old secret keeps signing beside the new one for a grace period.</p>` : null}
      ${failure ? html`<${ProblemBox} error=${failure} />` : null}
      <section aria-labelledby="del-h"><h2 id="del-h">Deliveries</h2>
        <${Async} state=${deliveries} what="the deliveries">
          ${(page: { items: Delivery[] }) =>
            page.items.length
              ? html`<${TableWrap} label="Deliveries"><table>
                  <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th></tr></thead>
                  <tbody>${page.items.map(
                    (
                      d,
                    ) => html`<tr><td><code class="small">${d.eventType}</code><br /><span class="muted small">${d.eventId}</span></td><td>${d.status}${d.nextAttemptAt ? html`<br /><span class="small">next <${Time} iso=${d.nextAttemptAt} /></span>` : null}</td>
                      <td><ol class="attempts">${d.attempts.map((a) => html`<li><${Time} iso=${a.at} /> ${a.outcome}${a.status ? ` (HTTP ${a.status})` : ""}${a.latencyMs !== undefined ? `, ${Math.round(a.latencyMs)} ms` : ""}${a.error ? html` <span class="muted">${a.error}</span>` : null}</li>`)}</ol></td></tr>`,
                  )}</tbody></table><//>`
              : html`<p class="empty">No delivery yet.</p>`}
        <//>
      </section>
    <//>`}
  <//>`;
}
