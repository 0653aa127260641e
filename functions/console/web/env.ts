/** Where the console runs: its own base path and the API's public URL, both given by the page the server rendered. */
const meta = document.querySelector<HTMLMetaElement>('meta[name="hoptrace-api"]');

/** The API's public URL, as the hub checks `@target-uri` against it (no trailing slash). */
export const API_URL = (meta?.content || location.origin).replace(/\/$/, "");

/** The console's own path, e.g. `/console/` (or `/prod/console/` behind a stage path). */
export const BASE_PATH = new URL(document.baseURI).pathname;

/**
 * A request is signed for the public URL and sent to this page's origin: the same app serves
 * both, and the page may have been opened under another host name (localhost for 127.0.0.1).
 */
export function sameOrigin(url: string): string {
  return url.startsWith(API_URL) ? `${location.origin}${new URL(API_URL).pathname.replace(/\/$/, "")}${url.slice(API_URL.length)}` : url;
}
