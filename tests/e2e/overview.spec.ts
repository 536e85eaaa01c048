// The namespace overview: before indexing it says "Not indexed yet"; after the index job, it reads
// the catalog's total, and a prefix's row in the chart's table, or its bar in the chart, opens the
// keys table filtered to it;
// the prefix tree beside the keys table opens a folder from the keyboard and filters by it; a
// metadata search answers from the catalog while the local KV API holds every listing (so it made
// none); a jump to a key starts the table there; a plan applied from the keys table changes the
// overview's total. An expiry bucket's link lists exactly that bucket's keys.
import { expect, test } from "@playwright/test";
import { createNamespaceWithKeys, setConsistencyDelay, setFaults } from "./local-kv";

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
});
test.afterEach(async ({ request }) => {
  await setFaults(request, { holdListsAfter: null });
  await setConsistencyDelay(request, 2000);
});

test("overview: index a namespace, read its total, open a prefix's keys from the overview", async ({ page, request }) => {
  const title = `e2e-overview-${Date.now()}`;
  await createNamespaceWithKeys(request, title, [
    ...Array.from({ length: 30 }, (_, i) => ({ key: `users/${i}`, value: "u", metadata: { plan: i % 3 ? "free" : "pro" } })),
    ...Array.from({ length: 12 }, (_, i) => ({ key: `posts/2026/${i}`, value: "p" })),
    { key: "config", value: "c" },
  ]);
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();

  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Overview" }).click();
  await expect(page.getByRole("heading", { name: "Not indexed yet" })).toBeVisible();
  await page.getByRole("link", { name: "keys page" }).click();

  await page.getByRole("button", { name: "Index namespace" }).click();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(/The catalog holds 43 keys \(.*\): its first listing\./)).toBeVisible();
  await page.goBack();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Overview" }).click();

  await expect(page.getByRole("heading", { name: `Overview of ${title}` })).toBeVisible();
  await expect(page.getByRole("group", { name: "Keys", exact: true })).toContainText("43");
  const prefixes = page.getByRole("region", { name: /Keys by prefix at “\/”/ });
  await prefixes.getByText("Show as table").click();
  const table = prefixes.getByRole("table", { name: "Keys by prefix" });
  await expect(table.getByRole("row", { name: /users\/ 30/ })).toBeVisible();
  await table.getByRole("link", { name: "Keys with prefix users/" }).click();

  await expect(page).toHaveURL(/prefix=users%2F/);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText("30 keys loaded with prefix “users/”");

  // A click on the chart's bar does the same. The picture is aria-hidden (the table above is its
  // accessible alternative), so the bar is found by the link it carries, not by role.
  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Overview" }).click();
  await expect(page.getByRole("heading", { name: `Overview of ${title}` })).toBeVisible();
  await prefixes.locator('path.recharts-rectangle[href*="prefix=posts%2F"]').click();
  await expect(page).toHaveURL(/prefix=posts%2F$/);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText("12 keys loaded with prefix “posts/”");

  // The prefix tree beside the table: open a folder with the keyboard, Enter filters by its child.
  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Overview" }).click();
  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Keys" }).click();
  const tree = page.getByRole("tree", { name: "Prefixes" });
  const posts = tree.getByRole("treeitem", { name: "posts/ 12 keys" });
  await expect(posts).toHaveAttribute("aria-expanded", "false");
  await posts.focus();
  await posts.press("ArrowRight");
  await expect(posts).toHaveAttribute("aria-expanded", "true");
  const year = posts.getByRole("treeitem", { name: "2026/ 12 keys" });
  await expect(year).toBeVisible();
  await posts.press("ArrowRight");
  await expect(year).toBeFocused();
  await year.press("Enter");
  await expect(page).toHaveURL(/prefix=posts%2F2026%2F/);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText("12 keys loaded with prefix “posts/2026/”");

  const keysUrl = page.url().replace(/\?.*$/, "");

  // Jump to a key: the table starts there (from the catalog), in key order.
  await page.goto(keysUrl);
  await page.getByRole("searchbox", { name: "Jump to key" }).fill("posts/2026/5");
  await page.getByRole("button", { name: "Jump" }).click();
  await expect(page).toHaveURL(/from=posts%2F2026%2F5/);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText("keys loaded from “posts/2026/5”");
  const keyRows = page.getByRole("group", { name: /^Keys list/ }).getByRole("row");
  await expect(keyRows.nth(1)).toContainText("posts/2026/5");
  await expect(keyRows.nth(2)).toContainText("posts/2026/6");

  // A metadata search with every upstream listing held: it can only answer from the catalog.
  await setFaults(request, { holdListsAfter: 0 });
  await page.goto(`${keysUrl}?metaField=plan&metaOp=equals&metaValue=pro`);
  const loaded = page.getByRole("status").filter({ hasText: "keys loaded" });
  await expect(loaded).toContainText("10 matching keys loaded");
  await expect(page.getByText(/from the catalog as of .*, no upstream request/)).toBeVisible();
  await setFaults(request, { holdListsAfter: null });

  // Plan and apply a purge of users/: the overview's total follows at once (kvdeck's own deletes).
  await page.goto(`${keysUrl}?prefix=users%2F`);
  await expect(loaded).toContainText("30 keys loaded with prefix “users/”");
  await page.getByRole("button", { name: "Select all matching" }).click();
  const selection = page.getByRole("group", { name: "All matching keys" });
  await expect(selection).toContainText("All 30 keys matching prefix “users/” are selected.");
  // The page answered from the catalog, and so does the plan.
  await expect(selection).toContainText(/Plan made from the catalog as of .*, with no upstream request/);
  await selection.getByRole("button", { name: "Delete 30 keys" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 30 keys from ${title}?` });
  await dialog.getByRole("button", { name: "Delete 30 keys" }).click();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.goto(`${keysUrl}/overview`);
  await expect(page.getByRole("group", { name: "Keys", exact: true })).toContainText("13");
});

test("overview: an expiry bucket opens the keys table with exactly that bucket's keys", async ({ page, request }) => {
  const title = `e2e-expiry-${Date.now()}`;
  await createNamespaceWithKeys(request, title, [
    ...Array.from({ length: 3 }, (_, i) => ({ key: `soon/${i}`, value: "s", expiration_ttl: 1800 })),
    ...Array.from({ length: 2 }, (_, i) => ({ key: `today/${i}`, value: "t", expiration_ttl: 5 * 3600 })),
    { key: "week/0", value: "w", expiration_ttl: 3 * 86_400 },
    ...Array.from({ length: 4 }, (_, i) => ({ key: `kept/${i}`, value: "k" })),
  ]);
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await page.getByRole("button", { name: "Index namespace" }).click();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.goBack();
  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Overview" }).click();

  const expiry = page.getByRole("region", { name: "Expiry" });
  await expiry.getByText("Show as table").click();
  const table = expiry.getByRole("table", { name: "Keys by expiry" });
  await expect(table.getByRole("row", { name: /Within an hour 3/ })).toBeVisible();
  await expect(table.getByRole("row", { name: /1 hour – 1 day 2/ })).toBeVisible();
  // The bucket, not everything expiring within a day: the three keys of the first hour are not in it.
  await table.getByRole("link", { name: "1 hour – 1 day" }).click();
  await expect(page).toHaveURL(/expiry=between/);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText("2 matching keys loaded");
  const rows = page.getByRole("group", { name: /^Keys list/ }).getByRole("row");
  await expect(rows.nth(1)).toContainText("today/0");
  await expect(rows.nth(2)).toContainText("today/1");
  // The filter form shows the range it applied.
  const filter = page.getByRole("search", { name: "Filter keys" });
  await expect(filter.getByLabel("Expiry")).toHaveValue("between");
  await expect(filter.getByLabel("Expiring from (UTC)")).not.toHaveValue("");
  await expect(filter.getByLabel("Expiring before (UTC)")).not.toHaveValue("");
});

test("the prefix tree opens at the delimiter the catalog detected, reads again at another, and works on a phone", async ({
  page,
  request,
}) => {
  const title = `e2e-tree-${Date.now()}`;
  await createNamespaceWithKeys(request, title, [
    ...Array.from({ length: 6 }, (_, i) => ({ key: `user:${i}:profile`, value: "u" })),
    ...Array.from({ length: 4 }, (_, i) => ({ key: `order:${i}`, value: "o" })),
    { key: "cfg", value: "c" },
  ]);
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("button", { name: "Index namespace" }).click();
  await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.goBack();
  await page.reload();

  const atColon = page.getByRole("tree", { name: "Prefixes at “:”" });
  await expect(atColon.getByRole("treeitem", { name: "user: 6 keys" })).toBeVisible();
  await expect(atColon.getByRole("treeitem", { name: "order: 4 keys" })).toBeVisible();

  // At "/" no name splits: no folders, every key directly at the root.
  await page.getByLabel("Delimiter").selectOption("/");
  const atSlash = page.getByRole("tree", { name: "Prefixes at “/”" });
  await expect(atSlash).toContainText("11 keys directly here");
  await expect(atSlash.getByRole("treeitem")).toHaveCount(0);
  await page.getByLabel("Delimiter").selectOption(":");

  // On a phone the tree sits above the table, inside the screen, and a folder still filters.
  await page.setViewportSize({ width: 390, height: 844 });
  const order = atColon.getByRole("treeitem", { name: "order: 4 keys" });
  await expect(order).toBeInViewport();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await order.getByRole("button", { name: "order:" }).click();
  await expect(page).toHaveURL(/prefix=order%3A/);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText("4 keys loaded with prefix “order:”");
});
