/** The console's frame: the header with the navigation of the caller's kind, and the page for the path. */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError, call } from "./api.js";
import { loadIdentity, saveIdentity, type Identity } from "./keystore.js";
import { match, useLocation } from "./router.js";
import { openSession, SessionContext, type Session } from "./session.js";
import { Loading, Page, ProblemBox, useAsync } from "./ui.js";
import { EnrolPage } from "./pages/enrol.js";
import { WelcomePage } from "./pages/welcome.js";
import { NotFoundPage } from "./pages/not-found.js";
import { TracebacksPage } from "./pages/tracebacks.js";
import { NewTracebackPage } from "./pages/traceback-new.js";
import { ChainPage } from "./pages/chain.js";
import { ProviderPage, ProvidersPage } from "./pages/providers.js";
import { WebhookHealthPage } from "./pages/webhook-health.js";
import { PeoplePage } from "./pages/people.js";
import { HistoryPage, InboxPage } from "./pages/inbox.js";
import { HopPage } from "./pages/hop.js";
import { EndpointPage, EndpointsPage } from "./pages/endpoints.js";
import { CampaignPage, CampaignsPage } from "./pages/campaigns.js";
import { StandingPage } from "./pages/standing.js";
import { MailPage } from "./pages/mail.js";
import { ForgetKey, KeyPage } from "./pages/key.js";

type Kind = Session["kind"];
type Render = (params: Record<string, string>) => ComponentChildren;
interface Route {
  path: string;
  kinds: Kind[];
  render: Render;
  /** In the navigation, with this label. */
  nav?: string;
}

const CHAIN_READERS: Kind[] = ["consortium", "initiator"];
const EVERYONE: Kind[] = ["consortium", "initiator", "provider"];

const ROUTES: Route[] = [
  { path: "tracebacks", kinds: CHAIN_READERS, nav: "Tracebacks", render: () => html`<${TracebacksPage} />` },
  { path: "tracebacks/new", kinds: CHAIN_READERS, nav: "New traceback", render: () => html`<${NewTracebackPage} />` },
  { path: "tracebacks/:id", kinds: CHAIN_READERS, render: (p) => html`<${ChainPage} id=${p.id} />` },
  { path: "campaigns", kinds: ["consortium"], nav: "Campaigns", render: () => html`<${CampaignsPage} />` },
  { path: "campaigns/:id", kinds: ["consortium"], render: (p) => html`<${CampaignPage} id=${p.id} />` },
  { path: "inbox", kinds: ["provider"], nav: "Inbox", render: () => html`<${InboxPage} />` },
  { path: "history", kinds: ["provider"], nav: "Answered", render: () => html`<${HistoryPage} />` },
  { path: "hops/:id", kinds: EVERYONE, render: (p) => html`<${HopPage} id=${p.id} />` },
  { path: "providers", kinds: ["consortium"], nav: "Providers", render: () => html`<${ProvidersPage} />` },
  { path: "providers/:id", kinds: ["consortium"], render: (p) => html`<${ProviderPage} id=${p.id} />` },
  { path: "webhook-health", kinds: ["consortium"], nav: "Webhook health", render: () => html`<${WebhookHealthPage} />` },
  { path: "webhooks", kinds: ["provider", "initiator"], nav: "Webhooks", render: () => html`<${EndpointsPage} />` },
  { path: "webhooks/:id", kinds: ["provider", "initiator"], render: (p) => html`<${EndpointPage} id=${p.id} />` },
  { path: "standing", kinds: ["provider"], nav: "Findings & responsiveness", render: () => html`<${StandingPage} />` },
  { path: "people", kinds: EVERYONE, nav: "People", render: () => html`<${PeoplePage} />` },
  { path: "mail", kinds: ["consortium"], nav: "Local mail", render: () => html`<${MailPage} />` },
  { path: "key", kinds: EVERYONE, render: () => html`<${KeyPage} />` },
];

const HOME: Record<Kind, string> = { consortium: "tracebacks", initiator: "tracebacks", provider: "inbox" };

function resolve(path: string, kind: Kind): { route?: Route; params: Record<string, string> } {
  for (const route of ROUTES) {
    const params = match(route.path, path);
    if (params && route.kinds.includes(kind)) return { route, params };
  }
  return { params: {} };
}

function Frame(props: { session?: Session; path: string; children: ComponentChildren }) {
  const { session } = props;
  const nav = session ? ROUTES.filter((r) => r.nav && r.kinds.includes(session.kind)) : [];
  const section = props.path.split("/")[0];
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href=${session ? HOME[session.kind] : "./"}>Hoptrace</a>
      ${
        nav.length
          ? html`<nav aria-label="Main"><ul>${nav.map(
              (r) =>
                html`<li><a href=${r.path} aria-current=${r.path === props.path || (r.path === section && !nav.some((n) => n.path === props.path)) ? "page" : undefined}>${r.nav}</a></li>`,
            )}</ul></nav>`
          : null
      }
      ${
        session
          ? html`<a class="who" href="key" title=${`key ${session.identity.keyId}`}>
            <span>${session.identity.person?.name ?? "This browser's key"}</span>
            <span class="muted small">${session.identity.accountName ?? session.identity.accountId}${session.identity.person?.role ? ` · ${session.identity.person.role}` : ""}</span>
          </a>`
          : null
      }
    </header>
    <main id="main" tabindex="-1">${props.children}</main>`;
}

export function App() {
  const loc = useLocation();
  const [state, setState] = useState<{ identity?: Identity | null; error?: unknown }>({});
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    loadIdentity().then(
      (identity) => setState({ identity: identity ?? null }),
      (error) => setState({ error }),
    );
  }, [generation]);
  // Enrolling or forgetting the key changes who is signed in.
  useEffect(() => {
    const reload = () => setGeneration((g) => g + 1);
    window.addEventListener("hoptrace:identity", reload);
    return () => window.removeEventListener("hoptrace:identity", reload);
  }, []);

  if (loc.path === "enrol") return html`<${Frame} path=${loc.path}><${EnrolPage} /><//>`;
  if (state.error) return html`<${Frame} path=${loc.path}><${ProblemBox} error=${state.error} /><//>`;
  if (state.identity === undefined) return html`<${Frame} path=${loc.path}><${Loading} /><//>`;
  if (state.identity === null) return html`<${Frame} path=${loc.path}><${WelcomePage} /><//>`;
  return html`<${SignedIn} identity=${state.identity} path=${loc.path} />`;
}

/** The hub says who the key is (GET /v1/me): its account, kind and person, as registered. */
function SignedIn(props: { identity: Identity; path: string }) {
  const me = useAsync(async () => {
    const probe = openSession(props.identity, props.identity.accountKind ?? "provider");
    const who = await call(probe.api.GET("/v1/me"));
    const person = who.key.person;
    const identity: Identity = {
      ...props.identity,
      accountId: who.account.id,
      accountName: who.account.name,
      accountKind: who.account.kind,
      ...(person && { person }),
    };
    if (JSON.stringify(identity) !== JSON.stringify(props.identity)) await saveIdentity(identity);
    return openSession(identity, who.account.kind);
  }, [props.identity.keyId]);
  if (me.error) {
    const refused = me.error instanceof ApiError && me.error.status === 401;
    return html`<${Frame} path=${props.path}>
      ${
        refused
          ? html`<${Page} title="This browser's key is not accepted"><p>The hub no longer accepts the key this browser holds: it may have been revoked. Ask for a new invitation.</p><${ForgetKey} /><//>`
          : html`<${ProblemBox} error=${me.error} />`
      }
    <//>`;
  }
  if (!me.data) return html`<${Frame} path=${props.path}><${Loading} /><//>`;
  return html`<${Routed} session=${me.data} path=${props.path} />`;
}

function Routed(props: { session: Session; path: string }) {
  const { session } = props;
  const path = props.path || HOME[session.kind];
  const { route, params } = resolve(path, session.kind);
  return html`<${SessionContext.Provider} value=${session}>
    <${Frame} session=${session} path=${path}>${route ? route.render(params) : html`<${NotFoundPage} />`}<//>
  <//>`;
}
