/** A provider's own scorecard, findings and responsiveness, as the consortium sees them. */
import { html } from "../html.js";
import { useSession } from "../session.js";
import { Async, Page } from "../ui.js";
import { ScorecardSection } from "./scorecard.js";
import { FindingsList, PERIOD_DAYS, ResponsivenessView, useResponsiveness } from "./providers.js";

export function StandingPage() {
  const { identity } = useSession();
  const r = useResponsiveness(identity.accountId);
  return html`<${Page} title="Findings & responsiveness">
    <section aria-labelledby="resp-h"><h2 id="resp-h">Responsiveness, last ${PERIOD_DAYS} days</h2><${Async} state=${r}>${(d: never) => html`<${ResponsivenessView} data=${d} />`}<//></section>
    <${ScorecardSection} providerId=${identity.accountId} />
    <section aria-labelledby="pf-h"><h2 id="pf-h">Findings about your signatures</h2><${FindingsList} providerId=${identity.accountId} /></section>
  <//>`;
}
