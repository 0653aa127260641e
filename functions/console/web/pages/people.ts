/**
 * People: invitations (create, list, revoke) and the account's keys, person keys with their
 * holder's name, e-mail and role. The consortium invites to any account; an organisation's admin
 * to its own.
 */
import { useState } from "preact/hooks";
import { rolesFor } from "../../../domain/account.js";
import { NewInvitationSchema } from "../../../http/schemas/people.js";
import { ApiError, call, type Schemas } from "../api.js";
import { errorsOf, maxLengthOf, schemaAt, type FieldErrors } from "../contract-form.js";
import { html } from "../html.js";
import { useSession } from "../session.js";
import { Async, Badge, Field, Page, ProblemBox, TableWrap, Time, described, useAsync } from "../ui.js";

type Invitation = Schemas["Invitation"];
type KeyRecord = Schemas["Key"];
type Kind = "consortium" | "provider" | "initiator";

export function PeoplePage() {
  const { identity, kind, api } = useSession();
  const [created, setCreated] = useState<{ url: string; invitation: Invitation } | undefined>(undefined);
  const mayInvite = kind === "consortium" || identity.person?.role === "admin";
  const invitations = useAsync(async () => (mayInvite ? call(api.GET("/v1/invitations", { params: { query: { limit: 100 } } })) : { items: [] }), [mayInvite]);
  return html`<${Page} title="People">
    <p class="muted">Each person signs with a key of their own, made in their browser when they follow their invitation.</p>
    ${
      mayInvite
        ? html`<${InviteForm} onCreated=${(c: { url: string; invitation: Invitation }) => {
            setCreated(c);
            invitations.reload();
          }} />`
        : html`<p>Your organisation's admin invites new people.</p>`
    }
    ${
      created
        ? html`<div class="notice" role="status"><p>Invitation for ${created.invitation.name} created${created.invitation.emailedAt ? " and e-mailed" : ""}. Its link works once, until <${Time} iso=${created.invitation.expiresAt} />:</p><code class="wrap">${created.url}</code></div>`
        : null
    }
    ${
      mayInvite
        ? html`<section aria-labelledby="inv-h"><h2 id="inv-h">Invitations</h2>
          <${Async} state=${invitations} what="the invitations">
            ${(page: { items: Invitation[] }) =>
              page.items.length
                ? html`<${InvitationTable} items=${page.items} onChange=${invitations.reload} />`
                : html`<p class="empty">No invitation yet.</p>`}
          <//>
        </section>`
        : null
    }
    <section aria-labelledby="keys-h"><h2 id="keys-h">Keys of ${identity.accountName ?? "your organisation"}</h2><${KeyTable} accountId=${identity.accountId} /></section>
    ${kind === "consortium" ? html`<p class="muted small">The keys of another organisation are listed on its page under Providers.</p>` : null}
  <//>`;
}

function InvitationTable(props: { items: Invitation[]; onChange: () => void }) {
  const { api } = useSession();
  const [failure, setFailure] = useState<unknown>(undefined);
  const revoke = async (id: string) => {
    setFailure(undefined);
    const { error, response } = await api.POST("/v1/invitations/{invitationId}/revoke", { params: { path: { invitationId: id } } });
    if (error) setFailure(new ApiError(response.status, error as never));
    else props.onChange();
  };
  const tone = { pending: "info", accepted: "good", revoked: "neutral", expired: "warn" } as const;
  return html`${failure ? html`<${ProblemBox} error=${failure} />` : null}<${TableWrap} label="Invitations"><table>
    <thead><tr><th scope="col">Person</th><th scope="col">Organisation</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${props.items.map(
      (
        i,
      ) => html`<tr><td>${i.name}<br /><span class="muted small">${i.email}</span></td><td>${i.accountName}</td><td>${i.role}</td><td><${Badge} tone=${tone[i.status]}>${i.status}<//></td><td><${Time} iso=${i.expiresAt} /></td>
        <td>${i.status === "pending" ? html`<button class="small" onClick=${() => revoke(i.id)} aria-label=${`Revoke the invitation for ${i.name}`}>Revoke</button>` : null}</td></tr>`,
    )}</tbody></table><//>`;
}

function InviteForm(props: { onCreated: (c: { url: string; invitation: Invitation }) => void }) {
  const { identity, kind, api } = useSession();
  const [values, setValues] = useState<Record<string, string>>({ accountId: identity.accountId, role: rolesFor(kind)[0]! });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const accounts = useAsync(async () => {
    if (kind !== "consortium") return [{ id: identity.accountId, name: identity.accountName ?? identity.accountId, kind: kind as Kind }];
    const [providers, initiators] = await Promise.all([
      call(api.GET("/v1/providers", { params: { query: { limit: 100 } } })),
      call(api.GET("/v1/initiators", { params: { query: { limit: 100 } } })),
    ]);
    return [
      { id: identity.accountId, name: `${identity.accountName ?? "The consortium"} (consortium)`, kind: kind as Kind },
      ...providers.items.map((p) => ({ id: p.id, name: p.name, kind: "provider" as Kind })),
      ...initiators.items.map((i) => ({ id: i.id, name: i.name, kind: "initiator" as Kind })),
    ];
  }, [kind]);
  const target = accounts.data?.find((a) => a.id === values.accountId);
  const roles: string[] = rolesFor(target?.kind ?? kind);
  const set = (name: string) => (event: Event) => setValues((v) => ({ ...v, [name]: (event.target as HTMLInputElement).value }));
  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    const role = roles.includes(values.role ?? "") ? values.role : roles[0];
    const parsed = NewInvitationSchema.safeParse({
      accountId: values.accountId,
      name: values.name?.trim() || undefined,
      email: values.email?.trim() || undefined,
      role,
    });
    setErrors(errorsOf(parsed.error as never));
    if (!parsed.success) return;
    setBusy(true);
    const { data, error, response } = await api.POST("/v1/invitations", { body: parsed.data });
    setBusy(false);
    if (error || !data) return setFailure(new ApiError(response.status, error as never));
    setValues((v) => ({ ...v, name: "", email: "" }));
    props.onCreated(data);
  };
  return html`<section aria-labelledby="invite-h"><h2 id="invite-h">Invite a person</h2>
    <form class="filter-grid" onSubmit=${submit} novalidate>
      <${Field} id="inv-account" label="Organisation">
        <select ...${described("inv-account")} value=${values.accountId} onChange=${set("accountId")} disabled=${kind !== "consortium"}>
          ${(accounts.data ?? []).map((a) => html`<option value=${a.id}>${a.name}</option>`)}
        </select>
      <//>
      <${Field} id="inv-name" label="Name" required=${true} error=${errors.name}>
        <input ...${described("inv-name", errors.name)} maxlength=${maxLengthOf(schemaAt(NewInvitationSchema, "name")!)} value=${values.name ?? ""} onInput=${set("name")} autocomplete="off" />
      <//>
      <${Field} id="inv-email" label="E-mail" required=${true} error=${errors.email}>
        <input ...${described("inv-email", errors.email)} type="email" maxlength=${maxLengthOf(schemaAt(NewInvitationSchema, "email")!)} value=${values.email ?? ""} onInput=${set("email")} autocomplete="off" />
      <//>
      <${Field} id="inv-role" label="Role">
        <select ...${described("inv-role")} value=${roles.includes(values.role ?? "") ? values.role : roles[0]} onChange=${set("role")}>${roles.map((r) => html`<option value=${r}>${r}</option>`)}</select>
      <//>
      <div class="filter-actions"><button class="primary" type="submit" disabled=${busy}>${busy ? "Inviting…" : "Send the invitation"}</button></div>
    </form>
    ${failure ? html`<${ProblemBox} error=${failure} />` : null}
  </section>`;
}

export function KeyTable(props: { accountId: string }) {
  const { identity, api } = useSession();
  const [failure, setFailure] = useState<unknown>(undefined);
  const keys = useAsync(
    () => call(api.GET("/v1/accounts/{accountId}/keys", { params: { path: { accountId: props.accountId }, query: { limit: 100 } } })),
    [props.accountId],
  );
  const revoke = async (keyId: string) => {
    setFailure(undefined);
    const { error, response } = await api.POST("/v1/accounts/{accountId}/keys/{keyId}/revoke", { params: { path: { accountId: props.accountId, keyId } } });
    if (error) setFailure(new ApiError(response.status, error as never));
    else keys.reload();
  };
  return html`${failure ? html`<${ProblemBox} error=${failure} />` : null}<${Async} state=${keys} what="the keys">
    ${(page: { items: KeyRecord[] }) => html`<${TableWrap} label="Keys"><table>
      <thead><tr><th scope="col">Holder</th><th scope="col">Key</th><th scope="col">Status</th><th scope="col">Registered</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${page.items.map(
        (
          k,
        ) => html`<tr><td>${k.person ? html`${k.person.name} <span class="muted small">(${k.person.role})</span><br /><span class="muted small">${k.person.email}</span>` : html`<span class="muted">system key</span>`}${k.keyId === identity.keyId ? html` <${Badge} tone="info">this browser<//>` : null}</td>
          <td><code class="small">${k.keyId}</code>${k.label ? html`<br /><span class="small">${k.label}</span>` : null}</td>
          <td><${Badge} tone=${k.status === "active" ? "good" : "neutral"}>${k.status}<//></td><td><${Time} iso=${k.createdAt} /></td>
          <td>${k.status === "active" && k.keyId !== identity.keyId ? html`<button class="small" onClick=${() => revoke(k.keyId)} aria-label=${`Revoke the key of ${k.person?.name ?? k.keyId}`}>Revoke</button>` : null}</td></tr>`,
      )}</tbody></table><//>`}
  <//>`;
}
