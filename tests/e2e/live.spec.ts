// One live connection per browser: twenty tabs of one browser context watch one running purge over a
// single /live stream (the leader tab's), each shows the progress move step by step to the end and
// still answers a navigation; the tabs taken offline say they are not live and, back online, show
// the state the job reached meanwhile. The purge's bulk deletes are held by the local KV API's
// fault holds, so each step stands for as long as the test looks at it, however slow the machine.
import { type BrowserContext, type Page, type Request, expect, test } from "@playwright/test";
import { startHeldPurge } from "./helpers";
import { setConsistencyDelay, setFaults } from "./local-kv";
import { ADMIN_STATE } from "./sign-in";

const KEYS = 100_000;
const KEYS_TEXT = "100,000";
const TABS = 20;

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
});
test.afterEach(async ({ request, context }) => {
  await context.setOffline(false);
  await setFaults(request, { holdBulkDeletesAfter: null });
  await setConsistencyDelay(request, 2000);
});

/** Every /live request of the context, and the most that were open at once. */
function countLiveStreams(context: BrowserContext) {
  const open = new Set<Request>();
  const pages = new Set<Page>();
  const seen = { opened: 0, mostOpen: 0, pages };
  const isLive = (request: Request) => new URL(request.url()).pathname === "/live";
  context.on("request", (request) => {
    if (!isLive(request)) return;
    open.add(request);
    seen.opened++;
    seen.mostOpen = Math.max(seen.mostOpen, open.size);
    const page = request.frame().page();
    if (page) pages.add(page);
  });
  const done = (request: Request) => open.delete(request);
  context.on("requestfinished", done);
  context.on("requestfailed", done);
  return seen;
}

const bar = (page: Page) => page.getByRole("progressbar", { name: "Purge by rule progress" });
const progressOf = async (page: Page) => Number(await bar(page).getAttribute("aria-valuenow"));
const liveIndicator = (page: Page) => page.getByRole("status", { name: "Live updates" });

test("twenty tabs watch one purge over one live stream: each shows every step to the end and still answers a navigation", async ({
  page,
  context,
  request,
}) => {
  test.setTimeout(300_000);
  const streams = countLiveStreams(context);
  // Ten bulk deletes of 10,000 keys: the first goes through, the next ones wait.
  const { jobPath } = await startHeldPurge(page, request, `e2e-live-${Date.now()}`, KEYS);

  const tabs = [page];
  for (let i = 1; i < TABS; i++) {
    const tab = await context.newPage();
    await tab.goto(jobPath);
    await expect(tab.getByRole("heading", { name: "Purge by rule" })).toBeVisible();
    tabs.push(tab);
  }
  for (const tab of tabs) await expect(liveIndicator(tab)).toHaveText("live");

  // Each step: the job moves on, and every tab shows where it got to (or further). The deletes run
  // two or more at a time, so a step may move the bar by more than one batch.
  const shown = tabs.map(() => [] as number[]);
  let reached = 0;
  const everyTabShows = async (check: (value: number) => boolean) => {
    await expect.poll(async () => check(await progressOf(page)), { timeout: 120_000 }).toBe(true);
    const value = await progressOf(page);
    for (const [i, tab] of tabs.entries()) {
      await expect.poll(() => progressOf(tab), { timeout: 60_000 }).toBeGreaterThanOrEqual(value);
      shown[i].push(await progressOf(tab));
    }
    reached = Math.max(...shown.map((values) => values.at(-1)!));
  };
  await everyTabShows((v) => v > 0 && v < 100);

  // While it stands, every tab still answers a navigation (no request waits behind a connection).
  for (const tab of tabs) {
    await tab.getByRole("link", { name: "All jobs" }).click();
    await expect(tab.getByRole("heading", { name: "Jobs", exact: true })).toBeVisible();
    await tab.goBack();
    await expect(tab.getByRole("heading", { name: "Purge by rule" })).toBeVisible();
  }

  for (let step = 0; step < 2; step++) {
    // The held deletes go; every new one is held.
    await setFaults(request, { holdBulkDeletesAfter: 0 });
    const before = reached;
    await everyTabShows((v) => v > before);
  }
  await setFaults(request, { holdBulkDeletesAfter: null });
  await everyTabShows((v) => v === 100);
  for (const tab of tabs) await expect(tab.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 60_000 });
  for (const tab of tabs) await expect(tab.getByLabel("Succeeded")).toHaveText(KEYS_TEXT);

  // Every tab saw the progress change at each step.
  for (const values of shown) {
    expect(values).toHaveLength(4);
    expect(new Set(values).size).toBe(4);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  }
  // One stream for the whole context at any time, held by one tab (the leader).
  expect(streams.opened).toBeGreaterThanOrEqual(1);
  expect(streams.mostOpen).toBe(1);
  expect([...streams.pages]).toEqual([page]);
});

test("tabs taken offline say they are not live; back online they show the state the job reached meanwhile", async ({
  page,
  context,
  request,
  browser,
}) => {
  test.setTimeout(180_000);
  const { jobPath } = await startHeldPurge(page, request, `e2e-offline-${Date.now()}`, KEYS);
  const follower = await context.newPage();
  await follower.goto(jobPath);
  const tabs = [page, follower];
  for (const tab of tabs) await expect(liveIndicator(tab)).toHaveText("live");
  await expect.poll(() => progressOf(page), { timeout: 60_000 }).toBeGreaterThan(0);
  const before = await progressOf(page);
  for (const tab of tabs) await expect(bar(tab)).toHaveAttribute("aria-valuenow", String(before));

  const offlineAt = Date.now();
  await context.setOffline(true);
  for (const tab of tabs) await expect(liveIndicator(tab)).not.toHaveText("live");

  // Meanwhile the purge runs to its end (seen from another browser, online).
  await setFaults(request, { holdBulkDeletesAfter: null });
  const other = await browser.newContext({ storageState: ADMIN_STATE });
  const watcher = await other.newPage();
  await watcher.goto(jobPath);
  await expect(watcher.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 120_000 });
  await other.close();
  for (const tab of tabs) await expect(bar(tab)).toHaveAttribute("aria-valuenow", String(before));
  // The scenario: five seconds offline at least (a network that went away, not a blip).
  await page.waitForTimeout(Math.max(0, 5_000 - (Date.now() - offlineAt)));

  await context.setOffline(false);
  for (const tab of tabs) {
    await expect(tab.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 60_000 });
    await expect(bar(tab)).toHaveAttribute("aria-valuenow", "100");
    await expect(tab.getByLabel("Succeeded")).toHaveText(KEYS_TEXT);
  }
});
