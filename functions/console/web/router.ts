/**
 * Routing on the History API under the console's base path. Links are ordinary relative hrefs
 * (resolved against <base>), so they work without script too; a click on one is handled here.
 */
import { useEffect, useState } from "preact/hooks";
import { BASE_PATH } from "./env.js";

export interface Location {
  /** The path below the base, without a leading slash: `tracebacks/tb_…`. */
  path: string;
  query: URLSearchParams;
  hash: string;
}

const listeners = new Set<() => void>();

function current(): Location {
  const path = location.pathname.startsWith(BASE_PATH) ? location.pathname.slice(BASE_PATH.length) : location.pathname.replace(/^\//, "");
  return { path: decodeURI(path).replace(/\/$/, ""), query: new URLSearchParams(location.search), hash: location.hash.slice(1) };
}

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(href, document.baseURI);
  if (opts.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  for (const listener of listeners) listener();
  if (!url.hash) window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return loc;
}

/** Handles clicks on same-origin links under the console, leaving new-tab clicks and downloads alone. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element).closest?.("a[href]") as HTMLAnchorElement | null;
    if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
    const url = new URL(anchor.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE_PATH)) return;
    event.preventDefault();
    navigate(url.href);
  });
}

/** `match("tracebacks/:id", path)` → `{ id }`, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(":")) {
      if (!g) return undefined;
      params[w.slice(1)] = g;
    } else if (w !== g) return undefined;
  }
  return params;
}
