/** An account shown by its name once known. */
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { useSession } from "./session.js";

export function AccountName(props: { id?: string | undefined; link?: boolean }) {
  const session = useSession();
  const [name, setName] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    if (props.id) void session.accountName(props.id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [props.id]);
  if (!props.id) return html`<span class="muted">—</span>`;
  const label = name && name !== props.id ? name : props.id;
  const text = html`<span class="account" title=${props.id}>${label}</span>`;
  return props.link && session.kind === "consortium" && props.id.startsWith("acc_") ? html`<a href=${`providers/${props.id}`}>${text}</a>` : text;
}
