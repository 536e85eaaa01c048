import { expect, test } from "@playwright/test";
import { startHeldPurge } from "./helpers";
import { listKeyNames, setConsistencyDelay, setFaults } from "./local-kv";

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
});
test.afterEach(async ({ request }) => {
  await setFaults(request, { latencyMs: 0, holdBulkDeletesAfter: null });
  await setConsistencyDelay(request, 2000);
});

const KEYS = 50_000;

test("a namespace being purged shows Processing with the job's progress in the namespaces list, until the purge ends", async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const title = `e2e-processing-${Date.now()}`;
  // The upstream holds the purge's bulk deletes (five of 10,000 keys) after the first: its progress
  // stands at a fifth for as long as the test looks, however slow the machine.
  const { namespaceId } = await startHeldPurge(page, request, title, KEYS);

  await page.goto("/");
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: title, exact: true }) });
  await expect(row).toHaveAttribute("data-status", "processing", { timeout: 60_000 });
  await expect(row).toContainText("Processing");
  await expect(row).toContainText("Purge by rule");
  const bar = row.getByRole("progressbar", { name: `${title} progress` });
  await expect(bar).toBeVisible();

  // The list reloads itself while the job runs: the bar fills as the purge deletes.
  const valueNow = async () => Number((await bar.getAttribute("aria-valuenow", { timeout: 60_000 })) ?? Number.NaN);
  await expect.poll(valueNow, { timeout: 120_000 }).toBeGreaterThan(0);
  const first = await valueNow();
  expect(first).toBeLessThan(100);
  await expect(row).toContainText(/Deleting: [\d,]+ of 50,000 keys \(\d+ %\)/);
  // One more let through (a new count lets the held one go): the bar moves on and stands again.
  await setFaults(request, { holdBulkDeletesAfter: 1 });
  await expect.poll(valueNow, { timeout: 120_000 }).toBeGreaterThan(first);
  expect(await valueNow()).toBeLessThan(100);

  // Let the rest go: once the purge has ended the row is a plain row again.
  await setFaults(request, { holdBulkDeletesAfter: null });
  await expect(bar).toHaveCount(0, { timeout: 120_000 });
  await expect(row).not.toHaveAttribute("data-status", /.+/);
  await expect(row).not.toContainText("Processing");
  expect(await listKeyNames(request, namespaceId)).toEqual([]);
});
