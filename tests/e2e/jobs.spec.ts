import { type Page, expect, test } from "@playwright/test";
import { createNamespaceWithKeys, listKeyNames, setConsistencyDelay, setFaults, writeKeys } from "./local-kv";

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
});
test.afterEach(async ({ request }) => {
  await setFaults(request, { latencyMs: 0, holdListsAfter: null, holdBulkDeletesAfter: null });
  await setConsistencyDelay(request, 2000);
});

async function openNamespace(page: Page, title: string) {
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
}

test("purge from 'select all N matching': confirm, watch the progress bar advance live to done", async ({ page, request }) => {
  const title = `e2e-purge-${Date.now()}`;
  const keys = [
    ...Array.from({ length: 12_000 }, (_, i) => ({ key: `tmp:${String(i).padStart(5, "0")}`, value: "x" })),
    ...Array.from({ length: 20 }, (_, i) => ({ key: `keep:${i}`, value: "y" })),
  ];
  const namespaceId = await createNamespaceWithKeys(request, title, keys);
  await openNamespace(page, title);
  await page.getByRole("searchbox", { name: "Prefix" }).fill("tmp:");
  await page.getByRole("searchbox", { name: "Prefix" }).press("Enter");
  await expect(page).toHaveURL(/prefix=tmp/);

  await page.getByRole("button", { name: "Select all matching" }).click();
  const selection = page.getByRole("group", { name: "All matching keys" });
  await expect(selection).toContainText("All 12,000 keys matching prefix “tmp:” are selected.");

  // Hold the second of the two bulk deletes (10,000 + 2,000 keys), so the bar stands part-way for
  // as long as the test looks at it, however slow the machine.
  await setFaults(request, { holdBulkDeletesAfter: 1 });
  await selection.getByRole("button", { name: "Delete 12,000 keys" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 12,000 keys from ${title}?` });
  await dialog.getByRole("textbox").fill("12000");
  await dialog.getByRole("button", { name: "Delete 12,000 keys" }).click();

  await expect(page).toHaveURL(/\/jobs\//);
  await expect(page.getByRole("heading", { name: "Purge by rule" })).toBeVisible();
  const bar = page.getByRole("progressbar", { name: "Purge by rule progress" });
  const seen = new Set<number>();
  const advancesTo = (done: (value: number) => boolean) =>
    expect(async () => {
      const value = Number(await bar.getAttribute("aria-valuenow"));
      if (Number.isFinite(value)) seen.add(value);
      expect(done(value)).toBe(true);
    }).toPass({ timeout: 60_000, intervals: [200] });
  await advancesTo((value) => value > 0 && value < 100);
  await setFaults(request, { holdBulkDeletesAfter: null });
  await advancesTo((value) => value === 100);
  expect([...seen].some((v) => v > 0 && v < 100)).toBe(true);
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Succeeded")).toHaveText("12,000");
  await expect(page.getByLabel("Failed")).toHaveText("0");

  const left = await listKeyNames(request, namespaceId);
  expect(left.filter((k) => k.startsWith("tmp:"))).toEqual([]);
  expect(left.filter((k) => k.startsWith("keep:"))).toHaveLength(20);
});

test("cancel a running job", async ({ page, request }) => {
  const title = `e2e-cancel-${Date.now()}`;
  const namespaceId = await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: 5000 }, (_, i) => ({ key: `c:${String(i).padStart(5, "0")}`, value: "x" })),
  );
  await openNamespace(page, title);
  await page.getByRole("button", { name: "Select all matching" }).click();
  await expect(page.getByRole("group", { name: "All matching keys" })).toContainText("All 5,000 keys");
  // Keys written after the plan, which the re-check lists and deletes. Its listing is held after two
  // pages: the job is still running, however slow the machine, when the test cancels it
  // (cancelling aborts the held request).
  await writeKeys(
    request,
    namespaceId,
    Array.from({ length: 5000 }, (_, i) => ({ key: `c:late:${String(i).padStart(5, "0")}`, value: "x" })),
  );
  await setFaults(request, { holdListsAfter: 2 });
  await page.getByRole("button", { name: "Delete 5,000 keys" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByRole("checkbox", { name: /Re-check live/ }).check();
  await dialog.getByRole("textbox").fill("5000");
  await dialog.getByRole("button", { name: "Delete 5,000 keys" }).click();
  await expect(page.getByRole("button", { name: "Cancel job" })).toBeVisible();
  await page.getByRole("button", { name: "Cancel job" }).click();
  await expect(page.getByText("cancelled", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Cancel job" })).toHaveCount(0);
  // The counts add up: everything processed either succeeded, failed or was skipped.
  const number = async (label: string) =>
    Number((await page.getByLabel(label, { exact: true }).textContent())!.split(" ")[0].replace(/,/g, ""));
  expect(await number("Processed")).toBe((await number("Succeeded")) + (await number("Failed")) + (await number("Skipped")));
  // Cancelled part-way: the keys written after the plan were not all deleted.
  expect(await number("Processed")).toBeLessThan(10_000);
  await setFaults(request, { holdListsAfter: null });
  // (Listed under their prefix: the cancel may come before the planned keys' delete, during their copy.)
  expect((await listKeyNames(request, namespaceId, "c:late:")).length).toBeGreaterThan(0);
});

test("export a namespace and download the file", async ({ page, request }) => {
  const title = `e2e-export-${Date.now()}`;
  await createNamespaceWithKeys(request, title, [
    { key: "a", value: "alpha", metadata: { tag: "x" } },
    { key: "b", value: "beta" },
  ]);
  await openNamespace(page, title);
  await page.getByRole("button", { name: "Export" }).click();
  const dialog = page.getByRole("dialog", { name: "Export keys" });
  await dialog.getByRole("button", { name: "Start export" }).click();
  await expect(page).toHaveURL(/\/jobs\//);
  const download = page.getByRole("link", { name: /Download export \(2 keys/ });
  await expect(download).toBeVisible({ timeout: 30_000 });
  const file = page.waitForEvent("download");
  await download.click();
  const saved = await (await file).path();
  const lines = (await import("node:fs"))
    .readFileSync(saved, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines).toEqual([
    { key: "a", value: "alpha", metadata: { tag: "x" } },
    { key: "b", value: "beta" },
  ]);
});

test("import a file: a malformed one is refused with line numbers, a good one lands", async ({ page, request }) => {
  const title = `e2e-import-${Date.now()}`;
  const namespaceId = await createNamespaceWithKeys(request, title, []);
  await openNamespace(page, title);

  const upload = async (name: string, content: string) => {
    await page.getByRole("button", { name: "Import" }).click();
    const dialog = page.getByRole("dialog", { name: "Import keys" });
    await dialog.getByLabel("File").setInputFiles({ name, mimeType: "application/x-ndjson", buffer: Buffer.from(content) });
    await dialog.getByRole("button", { name: "Upload and import" }).click();
    await expect(page).toHaveURL(/\/jobs\//);
  };

  await upload("bad.ndjson", '{"key":"ok","value":"1"}\n{"key":"","value":"2"}\nnot json\n');
  await expect(page.getByText("failed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("alert")).toContainText("nothing was written");
  const report = page.getByRole("region", { name: /^Errors/ });
  await expect(report.getByText(/^line 2: A key name cannot be empty/)).toBeVisible();
  await expect(report.getByText(/^line 3:/)).toBeVisible();
  expect(await listKeyNames(request, namespaceId)).toEqual([]);

  await openNamespace(page, title);
  await upload("good.ndjson", '{"key":"x:1","value":"one","metadata":{"n":1}}\n{"key":"x:2","value":"dHdv","base64":true}\n');
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  expect(await listKeyNames(request, namespaceId)).toEqual(["x:1", "x:2"]);
});

test("a plan shows its listing as progress, its apply the deletes, then final averages; dry runs stay apart, namespaces by title", async ({
  page,
  request,
}) => {
  const title = `e2e-scan-${Date.now()}`;
  await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: 30_000 }, (_, i) => ({ key: `scan:${String(i).padStart(5, "0")}`, value: "x" })),
  );
  await openNamespace(page, title);
  // Hold the plan's listing after a few pages, so it is on screen for as long as the test looks at
  // it, however slow the machine.
  await setFaults(request, { holdListsAfter: 5 });
  await page.getByRole("button", { name: "Select all matching" }).click();
  // The listing, as progress: keys matched and scanned so far, before anything is deleted.
  await expect(page.getByRole("status").filter({ hasText: "Making a plan" })).toHaveText(
    /^Making a plan of the keys matching every key: [1-9][\d,]* so far \([1-9][\d,]* scanned\)…$/,
  );
  await setFaults(request, { holdListsAfter: null });
  const selection = page.getByRole("group", { name: "All matching keys" });
  await expect(selection).toContainText("All 30,000 keys");

  await selection.getByRole("button", { name: "Delete 30,000 keys" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByRole("textbox").fill("30000");
  await dialog.getByRole("button", { name: "Delete 30,000 keys" }).click();
  await expect(page).toHaveURL(/\/jobs\//);
  await expect(page.getByText(`in ${title}`)).toBeVisible();

  const bar = page.getByRole("progressbar", { name: "Purge by rule progress" });
  // The apply lists nothing: its deletes, against the plan's count.
  await expect(bar).toHaveAttribute("aria-valuetext", /^(Deleting: [\d,]+ of 30,000 keys \(\d+ %\)|Done: 30,000 keys processed)$/, {
    timeout: 60_000,
  });
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  await expect(bar).toHaveAttribute("aria-valuetext", "Done: 30,000 keys processed");
  // Final averages instead of "—".
  await expect(page.getByLabel("Average rate", { exact: true })).toHaveText(/^[\d,.]+ keys\/s$/);
  await expect(page.getByLabel("Total time", { exact: true })).toHaveText(/^(\d+ min )?\d+ s$|^less than a second$/);
  await expect(page.getByLabel("Pages listed", { exact: true })).toHaveText(/^[1-9][\d,]*$/);

  // The jobs list: the purge, under its namespace's title, and not the dry run that counted it.
  await page.goto("/jobs");
  const rows = page.getByRole("row").filter({ has: page.getByRole("link", { name: title, exact: true }) });
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByRole("link", { name: "Purge by rule" })).toBeVisible();
  await expect(rows.first()).not.toContainText("dry run");
  await page.getByRole("link", { name: "Dry runs" }).click();
  await expect(page.getByRole("heading", { name: "Dry runs" })).toBeVisible();
  const dryRows = page.getByRole("row").filter({ has: page.getByRole("link", { name: title, exact: true }) });
  await expect(dryRows).toHaveCount(1);
  await expect(dryRows.first()).toContainText("dry run");
});
