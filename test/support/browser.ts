/**
 * Browser tests drive Debian's Chromium through playwright-core (no browser is downloaded). Each
 * person gets a browser of their own with a fresh profile, so their keys sit in separate
 * IndexedDBs as they would on separate machines. Every page a test looks at is checked with
 * axe-core and photographed at a desktop and a phone width; any script error or CSP violation
 * fails the test.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

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

export async function openBrowser(name: string): Promise<Person> {
  const profile = await mkdtemp(join(tmpdir(), `hoptrace-chromium-${name.replace(/\W+/g, "-")}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: WIDTHS[0], height: 900 },
    locale: "en-US",
    timezoneId: "America/New_York",
  });
  const page = context.pages()[0] ?? (await context.newPage());
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
      await rm(profile, { recursive: true, force: true });
    },
  };
}

let axeSource: string | undefined;

/**
 * axe-core's serious and critical violations on the page as it is now. axe runs in an isolated
 * world of its own, as an extension would: it sees the page's DOM, and the page's CSP (which
 * refuses any script but its own) neither blocks it nor reports it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = await cdp.send("Page.getFrameTree");
    const { executionContextId: contextId } = await cdp.send("Page.createIsolatedWorld", { frameId: frameTree.frame.id, worldName: "axe" });
    await cdp.send("Runtime.evaluate", { expression: `${axeSource};0`, contextId });
    const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", {
      expression:
        "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))",
      contextId,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails) throw new Error(`axe failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return (result.value as AxeViolation[]).filter((v) => v.impact === "serious" || v.impact === "critical");
  } finally {
    await cdp.detach();
  }
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
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(50);
    violations.push(...(await axeViolations(page)).map((v) => ({ ...v, help: `${v.help} (at ${width} px)` })));
    const file = join(SCREENSHOTS, `${n}-${pageName}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
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
