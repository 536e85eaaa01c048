// Benchmark: how long the keys page takes to answer a person with 100,000 rows loaded. Not a test:
// run by hand (under the shared lock: it starts a server and a browser).
//   flock /tmp/kvdeck-e2e.lock npx tsx bench/interactions.ts
//   options: --root DIR (a checkout whose `npm run build` to run, default .), --rows 100000 (3000 or more),
//            --keys 101000 (seeded), --repeat 20, --port 3297, --json FILE (the figures, for comparing runs),
//            --profile DIR (a .cpuprofile of each interaction's first 3 samples, for Chrome DevTools)
// Starts kvdeck's compiled server (build/node/index.js in --root) with its own data dir and port,
// seeds one namespace through its local KV API, signs in, loads --rows rows by scrolling, then times
// each interaction with Chromium's Event Timing API as INP does: per interaction, the longest of its
// event entries (input to the next paint), entries under 16 ms not reported (shown as "<16").
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "../tests/helpers/chromium";
import { load, option } from "./lib/cli";
import { BENCH_PASSWORD as PASSWORD, type CompiledServer, seedNamespace, startCompiledServer } from "./lib/compiled-server";

const ROW_HEIGHT = 37;
const RANGE = 500;

const ROOT = path.resolve(option("root", "."));
const ROWS = Number(option("rows", "100000"));
const KEYS = Number(option("keys", String(ROWS + 1_000)));
const REPEAT = Number(option("repeat", "20"));
// The ranges start 1,000 rows in and end 2,000 before the last row (far from where the next page loads).
if (!(ROWS >= 3_000)) throw new Error("--rows must be at least 3000");
const PORT = Number(option("port", "3297"));
const JSON_OUT = option("json", "");
/** Where to write a CPU profile of the first samples of each interaction (unset: none). */
const PROFILE_DIR = option("profile", "");
const PROFILED_SAMPLES = 3;
const FAILURE_SHOT = path.join(tmpdir(), "kvdeck-bench-failure.png");
const BASE = `http://127.0.0.1:${PORT}`;

const keyName = (i: number) => `bench:${String(i).padStart(6, "0")}`;

let server: CompiledServer | null = null;
const stopServer = async () => server?.stop();

// ---- measuring ------------------------------------------------------------------------------------

interface EventEntry {
  id: number;
  name: string;
  start: number;
  duration: number;
}

declare global {
  interface Window {
    __benchEvents: EventEntry[];
  }
}

/** Installed in every document: event entries that belong to an interaction. */
function observeEvents() {
  window.__benchEvents = [];
  new PerformanceObserver((list) => {
    // interactionId: Chromium's, not yet in TypeScript's DOM types.
    for (const e of list.getEntries() as (PerformanceEventTiming & { interactionId?: number })[]) {
      if (e.interactionId) window.__benchEvents.push({ id: e.interactionId, name: e.name, start: e.startTime, duration: e.duration });
    }
  }).observe({ type: "event", durationThreshold: 16, buffered: true } as PerformanceObserverInit);
}

const POINTER_EVENTS = new Set(["pointerdown", "pointerup", "click", "mousedown", "mouseup"]);
const KEY_EVENTS = new Set(["keydown", "keyup", "keypress", "beforeinput", "input"]);

const samples = new Map<string, number[]>();

/**
 * Does `act`, waits for `done` (the state the interaction leads to), lets the next frames paint and
 * the observer report, and records the longest entry of the interaction's kind (0: none reached 16 ms).
 */
async function measure(
  page: Page,
  label: string,
  kind: "pointer" | "key",
  act: () => Promise<void>,
  done: () => Promise<unknown>,
  { profile = true } = {},
) {
  const taken = samples.get(label)?.length ?? 0;
  const profiler = PROFILE_DIR && profile && taken < PROFILED_SAMPLES ? await page.context().newCDPSession(page) : null;
  if (profiler) {
    await profiler.send("Profiler.enable");
    await profiler.send("Profiler.setSamplingInterval", { interval: 100 });
    await profiler.send("Profiler.start");
  }
  const mark = await page.evaluate(() => performance.now());
  await act();
  await done();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 30)))));
  if (profiler) {
    const { profile } = await profiler.send("Profiler.stop");
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(path.join(PROFILE_DIR, `${label.replace(/[^a-z0-9]+/gi, "-")}-${taken + 1}.cpuprofile`), JSON.stringify(profile));
    await profiler.detach();
  }
  const names = kind === "pointer" ? POINTER_EVENTS : KEY_EVENTS;
  const entries = await page.evaluate((since) => window.__benchEvents.filter((e) => e.start >= since), mark);
  const longest = entries.filter((e) => names.has(e.name)).reduce((max, e) => Math.max(max, e.duration), 0);
  samples.set(label, [...(samples.get(label) ?? []), longest]);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const ms = (v: number) => (v < 16 ? "<16" : String(Math.round(v)));

// ---- the page ----------------------------------------------------------------------------------------

const scroller = (page: Page) => page.getByTestId("keys-scroll");

async function loadedRows(page: Page): Promise<number> {
  const text = (await page.getByRole("status").filter({ hasText: "keys loaded" }).textContent()) ?? "";
  return Number(text.match(/([\d,]+) keys loaded/)?.[1].replaceAll(",", "") ?? 0);
}

async function loadRows(page: Page) {
  const started = performance.now();
  let last = 0;
  let lastChange = Date.now();
  for (;;) {
    const rows = await loadedRows(page);
    if (rows >= ROWS) return rows;
    if (rows !== last) {
      if (Math.floor(rows / 10_000) !== Math.floor(last / 10_000)) {
        console.log(`  ${rows.toLocaleString("en")} rows loaded (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
      last = rows;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 60_000) throw new Error(`loading stalled at ${rows} rows`);
    await scroller(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForTimeout(100);
  }
}

/** Scrolls the list so that row `index` is near the top of the view, and waits for it to render. */
async function scrollToRow(page: Page, index: number) {
  await scroller(page).evaluate((el, top) => (el.scrollTop = top), Math.max(0, (index - 2) * ROW_HEIGHT));
  await page.locator(`tr[data-index="${index}"]`).waitFor();
}

const checkbox = (page: Page, i: number) => page.getByRole("checkbox", { name: `Select ${keyName(i)}`, exact: true });
const toolbar = (page: Page) => page.getByRole("toolbar", { name: "Selection" });
const isChecked = (page: Page, i: number, checked: boolean) =>
  page.waitForFunction(([name, want]) => document.querySelector(`[aria-label="Select ${name}"]`)?.getAttribute("aria-checked") === want, [
    keyName(i),
    String(checked),
  ] as const);
const selectedIs = (page: Page, count: number) =>
  count === 0
    ? toolbar(page).waitFor({ state: "detached" })
    : page.waitForFunction(
        (text) => document.querySelector('[role="toolbar"][aria-label="Selection"]')?.textContent?.includes(text),
        `${count.toLocaleString("en")} selected`,
      );

async function run(browser: Browser) {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  await context.addInitScript(observeEvents);
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);

  await page.goto("/sign-in");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();

  const title = "bench-interactions";
  let started = performance.now();
  await seedNamespace(server!, title, KEYS, (i) => ({ key: keyName(i), value: `value ${i}`, metadata: { n: i } }));
  console.log(`seeded ${KEYS.toLocaleString("en")} keys in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  await checkbox(page, 0).waitFor();
  started = performance.now();
  await loadRows(page);
  // A page asked for as the end came into view may still arrive: leave the end, let it land.
  await scroller(page).evaluate((el) => (el.scrollTop = 0));
  await page.getByText("Loading more keys…").waitFor({ state: "detached" });
  const rows = await loadedRows(page);
  console.log(`loaded ${rows.toLocaleString("en")} rows in ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${load()}`);

  // A row's checkbox, selecting then unselecting, in the middle of the loaded rows.
  const middle = Math.floor(rows / 2);
  await scrollToRow(page, middle);
  // Half the clicks select rows, the other half unselect them again.
  const half = Math.ceil(REPEAT / 2);
  for (let n = 0; n < 2 * half; n++) {
    const i = middle + (n % half);
    const select = n < half;
    await measure(
      page,
      "row checkbox click",
      "pointer",
      () => checkbox(page, i).click(),
      () => isChecked(page, i, select),
    );
  }

  // A 500-row range: click one row, shift-click the row 499 further; then the toolbar's delete
  // dialog opens and is cancelled, and the selection is cleared.
  for (let n = 0; n < REPEAT; n++) {
    const from = 1_000 + Math.floor(((rows - 3_000) * n) / REPEAT);
    const to = from + RANGE - 1;
    await scrollToRow(page, from);
    await checkbox(page, from).click();
    await isChecked(page, from, true);
    await scrollToRow(page, to);
    await measure(
      page,
      "shift-click 500-row range",
      "pointer",
      () => checkbox(page, to).click({ modifiers: ["Shift"] }),
      () => selectedIs(page, RANGE),
    );
    const dialog = page.getByRole("alertdialog");
    await measure(
      page,
      "open delete dialog (500 selected)",
      "pointer",
      () =>
        toolbar(page)
          .getByRole("button", { name: `Delete ${RANGE} keys` })
          .click(),
      () => dialog.waitFor(),
    );
    await measure(
      page,
      "close delete dialog (Cancel)",
      "pointer",
      () => dialog.getByRole("button", { name: "Cancel" }).click(),
      () => dialog.waitFor({ state: "detached" }),
    );
    await measure(
      page,
      "clear selection (500, toolbar)",
      "pointer",
      () => toolbar(page).getByRole("button", { name: "Clear selection" }).click(),
      () => selectedIs(page, 0),
    );
  }

  // The keyboard in the Keys list group: the cursor moves down, space selects its row.
  await scrollToRow(page, middle);
  await checkbox(page, middle).click();
  await checkbox(page, middle).click();
  await isChecked(page, middle, false);
  const list = page.getByRole("group", { name: /^Keys list/ });
  await list.focus();
  const live = list.locator("[aria-live]");
  for (let n = 1; n <= REPEAT; n++) {
    const name = keyName(middle + n);
    await measure(
      page,
      "arrow down (cursor)",
      "key",
      () => page.keyboard.press("ArrowDown"),
      () => live.filter({ hasText: new RegExp(`^${name}$`) }).waitFor(),
    );
    await measure(
      page,
      "space (select row)",
      "key",
      () => page.keyboard.press(" "),
      () => live.filter({ hasText: `${name}, selected` }).waitFor(),
    );
  }
  await measure(
    page,
    "Escape (clear selection)",
    "key",
    () => page.keyboard.press("Escape"),
    () => selectedIs(page, 0),
  );

  // Every loaded row at once, and back (O(rows) once is allowed for these).
  for (let n = 0; n < Math.max(3, Math.floor(REPEAT / 4)); n++) {
    await measure(
      page,
      "ctrl+a (select all loaded)",
      "key",
      () => page.keyboard.press("Control+a"),
      () => selectedIs(page, rows),
    );
    await measure(
      page,
      "Escape (clear all loaded)",
      "key",
      () => page.keyboard.press("Escape"),
      () => selectedIs(page, 0),
    );
  }

  // Typing in the prefix filter: "x" then Backspace, so that the filter applied after the pause is
  // the one already shown (the loaded rows stay).
  const prefix = page.getByLabel("Prefix", { exact: true });
  await prefix.click();
  for (let n = 0; n < 2 * half; n++) {
    const typed = n % 2 === 0 ? "x" : "";
    await measure(
      page,
      "filter keystroke",
      "key",
      () => page.keyboard.press(n % 2 === 0 ? "x" : "Backspace"),
      () => page.waitForFunction((want) => (document.activeElement as HTMLInputElement).value === want, typed),
      // Starting a profiler takes long enough for the filter's pause to pass and apply "x".
      { profile: false },
    );
  }
  await page.waitForTimeout(1_000);
  const after = await loadedRows(page);
  if (after !== rows) throw new Error(`the filter reloaded the rows (${after} loaded after typing, ${rows} before)`);
  await context.close();
  return rows;
}

async function main() {
  console.log(`kvdeck interactions bench: ${ROOT}, ${KEYS.toLocaleString("en")} keys, ${ROWS.toLocaleString("en")} rows, ×${REPEAT}`);
  const loadBefore = load();
  server = await startCompiledServer({ root: ROOT, port: PORT, name: "interactions" });
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  let rows = 0;
  try {
    rows = await run(browser);
  } catch (error) {
    const page = browser.contexts()[0]?.pages()[0];
    if (page) {
      await page.screenshot({ path: FAILURE_SHOT }).catch(() => {});
      console.error(`failed at ${page.url()}; screenshot in ${FAILURE_SHOT}`);
    }
    throw error;
  } finally {
    await browser.close();
  }

  console.log(`\nrows loaded: ${rows.toLocaleString("en")}; durations in ms (Event Timing, INP-style; "<16": no entry of 16 ms or more)`);
  console.log(`${"interaction".padEnd(36)} ${"count".padStart(5)} ${"p50".padStart(5)} ${"p75".padStart(5)} ${"max".padStart(5)}`);
  const figures: Record<string, { count: number; p50: number; p75: number; max: number }> = {};
  for (const [label, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b);
    const f = { count: sorted.length, p50: quantile(sorted, 0.5), p75: quantile(sorted, 0.75), max: sorted[sorted.length - 1] };
    figures[label] = f;
    console.log(
      `${label.padEnd(36)} ${String(f.count).padStart(5)} ${ms(f.p50).padStart(5)} ${ms(f.p75).padStart(5)} ${ms(f.max).padStart(5)}`,
    );
  }
  console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${load()} after`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ root: ROOT, rows, load: [loadBefore, load()], figures }, null, 2));
}

process.once("SIGINT", () => {
  void stopServer().then(() => process.exit(130));
});

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopServer());
