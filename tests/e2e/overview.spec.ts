// The namespace overview: before indexing it says "Not indexed yet"; after the index job, it reads
// the catalog's total, and a prefix's row (the chart's table) opens the keys table filtered to it;
// the prefix tree beside the keys table opens a folder from the keyboard and filters by it.
import { expect, test } from "@playwright/test";
import { createNamespaceWithKeys, setConsistencyDelay } from "./local-kv";

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
});
test.afterEach(async ({ request }) => {
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
});
