// Plan, then apply: filter by a prefix, "Select all matching" makes a plan (count, sample, cost,
// its keys to download), the confirmation applies it, and the job deletes exactly the planned keys:
// a matching key written after the plan stays. The plan and its apply name each other.
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { ACCOUNT, LOCAL_TOKEN, createNamespaceWithKeys, listKeyNames, setConsistencyDelay, writeKeys } from "./local-kv";

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
});
test.afterEach(async ({ request }) => {
  await setConsistencyDelay(request, 2000);
});

test("select all matching makes a plan; applying it deletes exactly the planned keys", async ({ page, request }) => {
  const title = `e2e-plan-${Date.now()}`;
  const planned = Array.from({ length: 150 }, (_, i) => `old:${String(i).padStart(3, "0")}`);
  const namespaceId = await createNamespaceWithKeys(request, title, [
    ...planned.map((key) => ({ key, value: "x" })),
    ...Array.from({ length: 10 }, (_, i) => ({ key: `keep:${i}`, value: "y" })),
  ]);
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("searchbox", { name: "Prefix" }).fill("old:");
  await page.getByRole("searchbox", { name: "Prefix" }).press("Enter");
  await expect(page).toHaveURL(/prefix=old/);

  await page.getByRole("button", { name: "Select all matching" }).click();
  const selection = page.getByRole("group", { name: "All matching keys" });
  await expect(selection).toContainText("All 150 keys matching prefix “old:” are selected.");
  // Applying lists nothing: one bulk delete for 150 keys, and the recycle copy's 2 bulk gets.
  await expect(selection).toContainText("Plan made: deleting exactly these takes 3 requests");
  await expect(selection.getByRole("list", { name: "First planned keys" }).getByRole("listitem")).toHaveText([
    "old:000",
    "old:001",
    "old:002",
  ]);

  const download = page.waitForEvent("download");
  await selection.getByRole("link", { name: "Download the planned keys" }).click();
  const lines = fs
    .readFileSync((await (await download).path())!, "utf8")
    .trim()
    .split("\n");
  expect(lines.map((line) => (JSON.parse(line) as { key: string }).key)).toEqual(planned);

  // A matching key written after the plan: the apply leaves it (no re-check).
  await writeKeys(request, namespaceId, [{ key: "old:late", value: "z" }]);

  await selection.getByRole("button", { name: "Delete 150 keys" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 150 keys from ${title}?` });
  await expect(dialog).toContainText("Exactly the 150 planned keys matching prefix “old:”");
  await expect(dialog.getByRole("list", { name: "Sample of the planned keys" }).getByRole("listitem").first()).toHaveText("old:000");
  await expect(dialog.getByRole("checkbox", { name: /Re-check live/ })).not.toBeChecked();
  await dialog.getByRole("textbox").fill("150");
  await dialog.getByRole("button", { name: "Delete 150 keys" }).click();

  await expect(page).toHaveURL(/\/jobs\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Purge by rule" })).toBeVisible();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel("Succeeded")).toHaveText("150");
  const applyPath = new URL(page.url()).pathname;
  const planLink = page.getByRole("link", { name: /^plan [0-9a-f]{8}$/ });
  await expect(planLink).toBeVisible();

  const left = await listKeyNames(request, namespaceId);
  expect(left.filter((k) => k.startsWith("old:"))).toEqual(["old:late"]);
  expect(left.filter((k) => k.startsWith("keep:"))).toHaveLength(10);

  // The plan's page: its count, its keys to download, and the job that applied it.
  await planLink.click();
  await expect(page.getByRole("heading", { name: "Plan: 150 keys match" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Download the planned keys" })).toBeVisible();
  await expect(page.getByRole("link", { name: /^job [0-9a-f]{8}$/ })).toHaveAttribute("href", applyPath);
});

test("a plan older than the consistency window warns in the confirmation", async ({ page, request }) => {
  const title = `e2e-plan-old-${Date.now()}`;
  await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: 5 }, (_, i) => ({ key: `stale:${i}`, value: "x" })),
  );
  await page.clock.install();
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("button", { name: "Select all matching" }).click();
  const selection = page.getByRole("group", { name: "All matching keys" });
  await expect(selection).toContainText("All 5 keys matching every key are selected.");

  // Fresh: no warning.
  await selection.getByRole("button", { name: "Delete 5 keys" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 5 keys from ${title}?` });
  await expect(dialog).toContainText("Exactly the 5 planned keys");
  await expect(dialog.getByRole("alert")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Three minutes later the same plan warns, and the re-check is offered.
  await page.clock.fastForward("03:00");
  await selection.getByRole("button", { name: "Delete 5 keys" }).click();
  await expect(dialog.getByRole("alert")).toHaveText(
    "This plan is 3 minutes old: keys may have changed; re-check live adds keys created since.",
  );
  await expect(dialog.getByRole("checkbox", { name: /Re-check live/ })).toBeVisible();
});

test("a bulk expiry's dry run is a plan too: apply it from its page, and exactly its keys get the expiry", async ({ page, request }) => {
  const title = `e2e-plan-expiry-${Date.now()}`;
  const namespaceId = await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: 7 }, (_, i) => ({ key: `exp:${i}`, value: "x" })),
  );
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("button", { name: "Set expiry" }).click();
  const form = page.getByRole("dialog", { name: "Set expiry" });
  await form.getByRole("checkbox", { name: /Dry run first/ }).check();
  await form.getByRole("button", { name: "Start" }).click();
  await expect(page).toHaveURL(/\/jobs\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Plan: 7 keys match" })).toBeVisible({ timeout: 30_000 });
  const planPath = new URL(page.url()).pathname;

  // A key written after the plan is not in it.
  await writeKeys(request, namespaceId, [{ key: "exp:late", value: "z" }]);
  await page.getByRole("button", { name: "Apply this plan" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Change the expiry of 7 keys in ${title}?` });
  await dialog.getByRole("button", { name: "Change the expiry of 7 keys" }).click();
  await expect(page).not.toHaveURL(new RegExp(`${planPath}$`));
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel("Succeeded")).toHaveText("7");
  await expect(page.getByRole("link", { name: /^plan [0-9a-f]{8}$/ })).toHaveAttribute("href", planPath);

  const listed = await request.get(`/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${namespaceId}/keys`, {
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}` },
  });
  const keys = (await listed.json()).result as { name: string; expiration?: number }[];
  expect(keys.filter((k) => k.expiration !== undefined).map((k) => k.name)).toEqual(Array.from({ length: 7 }, (_, i) => `exp:${i}`));
  expect(keys.find((k) => k.name === "exp:late")?.expiration).toBeUndefined();
  expect(await listKeyNames(request, namespaceId)).toHaveLength(8);

  // Applied: the plan's page names its apply and offers no second one.
  await page.goto(planPath);
  await expect(page.getByRole("link", { name: /^job [0-9a-f]{8}$/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply this plan" })).toHaveCount(0);
});

test("a copy's dry run is a plan: apply it from its page, and exactly its keys reach the target", async ({ page, request }) => {
  const title = `e2e-plan-copy-${Date.now()}`;
  const targetTitle = `${title}-target`;
  const namespaceId = await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: 4 }, (_, i) => ({ key: `cp:${i}`, value: `v${i}` })),
  );
  const targetId = await createNamespaceWithKeys(request, targetTitle, []);
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("button", { name: "Copy / move" }).click();
  const form = page.getByRole("dialog", { name: "Copy or move keys" });
  await form.getByLabel("Target namespace").selectOption({ label: targetTitle });
  await form.getByRole("checkbox", { name: /Dry run first/ }).check();
  await form.getByRole("button", { name: "Start" }).click();
  await expect(page.getByRole("heading", { name: "Plan: 4 keys match" })).toBeVisible({ timeout: 30_000 });
  expect(await listKeyNames(request, targetId)).toEqual([]);

  // A key written after the plan is not in it.
  await writeKeys(request, namespaceId, [{ key: "cp:late", value: "z" }]);
  await page.getByRole("button", { name: "Apply this plan" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Copy 4 keys from ${title}?` });
  await expect(dialog).toContainText("Exactly the 4 planned keys matching every key are copied");
  await dialog.getByRole("button", { name: "Copy 4 keys" }).click();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel("Succeeded")).toHaveText("4");
  expect(await listKeyNames(request, targetId)).toEqual(["cp:0", "cp:1", "cp:2", "cp:3"]);
});

test("a plan made from the catalog warns in its confirmation once the catalog was refreshed after it", async ({ page }) => {
  const title = `e2e-plan-refreshed-${Date.now()}`;
  const request = page.request;
  await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: 5 }, (_, i) => ({ key: `cat:${i}`, value: "x" })),
  );
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  const keysUrl = page.url().replace(/\?.*$/, "");
  await page.getByRole("button", { name: "Index namespace" }).click();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });

  // A filtered page answers from the catalog, and so does its plan.
  await page.goto(`${keysUrl}?prefix=cat%3A`);
  await page.getByRole("button", { name: "Select all matching" }).click();
  await expect(page.getByRole("group", { name: "All matching keys" })).toContainText(/Plan made from the catalog as of/);
  await page.goto("/jobs?dryRuns=1");
  await page
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: title, exact: true }) })
    .getByRole("link", { name: "Purge by rule" })
    .click();
  await expect(page.getByRole("heading", { name: "Plan: 5 keys match" })).toBeVisible();
  const planPath = new URL(page.url()).pathname;

  // Before a refresh: no warning.
  await page.getByRole("button", { name: "Apply this plan" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 5 keys from ${title}?` });
  await expect(dialog).toContainText("This plan comes from the catalog as of");
  await expect(dialog.getByRole("alert")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // The catalog is refreshed: the plan's confirmation says its keys are of the earlier listing.
  await page.goto(keysUrl);
  await page.getByRole("button", { name: "Refresh catalog" }).click();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.goto(planPath);
  await page.getByRole("button", { name: "Apply this plan" }).click();
  await expect(dialog.getByRole("alert")).toHaveText(
    /^The catalog was refreshed at \d{4}-\d\d-\d\d \d\d:\d\d UTC after this plan was made; the plan holds the keys of the earlier listing/,
  );
});
