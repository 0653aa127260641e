/**
 * Browser tests drive Debian's Chromium through playwright-core (no browser is downloaded). Each
 * person gets a browser context of their own, storage and all, so their keys sit in separate
 * IndexedDBs as they would on separate machines; the contexts share one browser process. Every
 * page a test looks at is checked with axe-core and photographed at a desktop and a phone width;
 * any script error or CSP violation fails the test.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from "playwright-core";

export const CHROMIUM = process.env.HOPTRACE_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(process.cwd(), "test-results", "screenshots");
export const WIDTHS = [1280, 400] as const;

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Without Chromium the browser tests are skipped on a developer's machine, never in CI: there
 * (`CI` set, as `.ci/run` sees it) a missing browser fails the run instead of hiding the tests.
 */
export const skipBrowserTests = () => !existsSync(CHROMIUM) && !process.env.CI;

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: number;
}

export interface Person {
  name: string;
  page: Page;
  context: BrowserContext;
  /** Script errors, failed loads and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

let browser: { launched: Promise<Browser>; users: number } | undefined;

/** A person in a new context of the browser the open people share, launched with the first of them. */
export async function openBrowser(name: string): Promise<Person> {
  browser ??= { launched: chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS }), users: 0 };
  const shared = browser;
  shared.users++;
  const context = await (await shared.launched).newContext({
    viewport: { width: WIDTHS[0], height: 900 },
    locale: "en-US",
    timezoneId: "America/New_York",
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    // A refused signature or a 404 the page expects is the hub's answer, not a fault of the page.
    if (msg.type() === "error" && !/Failed to load resource: the server responded with a status of (401|404|409|410|422)/.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  return {
    name,
    page,
    context,
    problems,
    close: async () => {
      await context.close();
      if (--shared.users > 0) return;
      if (browser === shared) browser = undefined;
      await (await shared.launched).close();
    },
  };
}

let axeSource: string | undefined;

/** Per page: a DevTools session of its own, and the isolated world axe was loaded into for the document it is in. */
const sessions = new WeakMap<Page, { cdp: CDPSession; axe?: { loaderId: string; contextId: number } }>();

async function sessionOf(page: Page) {
  let session = sessions.get(page);
  if (!session) {
    session = { cdp: await page.context().newCDPSession(page) };
    sessions.set(page, session);
  }
  return session;
}

/**
 * axe's rules whose violations are at most moderate are not run: the test fails on serious and
 * critical violations only, and a violation's impact is its rule's (axe gives every rule one and
 * sets it on each check the rule fails). The list is read from the axe-core in use, so a rule made
 * more serious in a later version is run without a change here.
 */
const RULES_BELOW_SERIOUS = `Object.fromEntries(axe._audit.rules.filter((rule) => {
  if (!rule.impact) throw new Error("axe rule " + rule.id + " has no impact of its own");
  return rule.impact !== "serious" && rule.impact !== "critical";
}).map((rule) => [rule.id, { enabled: false }]))`;

/**
 * axe-core's serious and critical violations on the page as it is now, which must be `width` px
 * wide. axe runs in an isolated world of its own, as an extension would: it sees the page's DOM,
 * and the page's CSP (which refuses any script but its own) neither blocks it nor reports it.
 * axe is loaded once per document and runs warm at the next width, or on the next page the
 * console routes to without a load; a navigation takes the world away with its document.
 */
export async function axeViolations(page: Page, width: number): Promise<AxeViolation[]> {
  const session = await sessionOf(page);
  const { cdp } = session;
  // A load makes a new document (and a new loader id) without the world; routing within the console does not.
  const { frameTree } = await cdp.send("Page.getFrameTree");
  if (session.axe?.loaderId !== frameTree.frame.loaderId) {
    axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    const { executionContextId } = await cdp.send("Page.createIsolatedWorld", { frameId: frameTree.frame.id, worldName: "axe" });
    await cdp.send("Runtime.evaluate", { expression: `${axeSource};0`, contextId: executionContextId });
    session.axe = { loaderId: frameTree.frame.loaderId, contextId: executionContextId };
  }
  // One frame after a resize, its events delivered and the layout done, instead of a fixed wait.
  const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", {
    expression: `new Promise((frame) => requestAnimationFrame(frame)).then(() => {
      if (innerWidth !== ${width}) throw new Error("the page is " + innerWidth + " px wide, not ${width}");
      return axe.run(document, { resultTypes: ["violations"], rules: ${RULES_BELOW_SERIOUS} });
    }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`,
    contextId: session.axe.contextId,
    awaitPromise: true,
    returnByValue: true,
  });
  if (exceptionDetails) throw new Error(`axe failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
  return (result.value as AxeViolation[]).filter((v) => v.impact === "serious" || v.impact === "critical");
}

/**
 * A PNG of the whole page, taken as playwright's full-page screenshot is but encoded for speed:
 * lossless still, a little larger, and much cheaper to make than the default encoding.
 */
async function screenshot(page: Page, file: string): Promise<void> {
  const { cdp } = await sessionOf(page);
  const { cssContentSize } = await cdp.send("Page.getLayoutMetrics");
  const { data } = await cdp.send("Page.captureScreenshot", {
    format: "png",
    optimizeForSpeed: true,
    captureBeyondViewport: true,
    clip: { x: 0, y: 0, width: Math.ceil(cssContentSize.width), height: Math.ceil(cssContentSize.height), scale: 1 },
  });
  await writeFile(file, Buffer.from(data, "base64"));
}

export interface Capture {
  page: string;
  violations: AxeViolation[];
  files: string[];
}

let counter = 0;

/** Checks the page with axe at each width and writes a full-page screenshot for each. */
export async function capture(person: Person, pageName: string): Promise<Capture> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const { page } = person;
  const files: string[] = [];
  const violations: AxeViolation[] = [];
  const n = String(++counter).padStart(2, "0");
  for (const width of WIDTHS) {
    if (page.viewportSize()?.width !== width) await page.setViewportSize({ width, height: 900 });
    violations.push(...(await axeViolations(page, width)).map((v) => ({ ...v, help: `${v.help} (at ${width} px)` })));
    const file = join(SCREENSHOTS, `${n}-${pageName}-${width}.png`);
    await screenshot(page, file);
    files.push(file);
  }
  await page.setViewportSize({ width: WIDTHS[0], height: 900 });
  return { page: pageName, violations, files };
}

/** The elements that stick out past the page's right edge at its current width (none should). */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    return [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-wrap"))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).replace(/ /g, ".")}` : ""}: ${(e.textContent ?? "").slice(0, 40)}`);
  });
}
