import { expect, test } from "@playwright/test";
import { createNamespaceWithKeys, setConsistencyDelay, setFaults } from "./local-kv";

// The server's consistency delay, as every journey expects it, whatever a journey here set.
test.afterEach(async ({ request }) => {
  await setConsistencyDelay(request, 2000);
});

test("browse: open a namespace, filter by prefix, scroll past the first page, open a key", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Namespaces" })).toBeVisible();
  await page.getByRole("link", { name: "page-cache" }).click();
  await expect(page.getByRole("heading", { name: "page-cache" })).toBeVisible();
  const table = page.getByRole("table", { name: /Keys of page-cache/ });
  await expect(table.getByRole("row").nth(1)).toBeVisible();

  const prefix = "https://shop.example.com/blog/";
  await page.getByRole("searchbox", { name: "Prefix" }).fill(prefix);
  await page.getByRole("searchbox", { name: "Prefix" }).press("Enter");
  await expect(page).toHaveURL(/prefix=https/);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText(`with prefix “${prefix}”`);
  const firstKey = table.getByRole("row").nth(1).getByRole("link");
  await expect(firstKey).toHaveText(/^https:\/\/shop\.example\.com\/blog\//);

  // Scroll to the end: the next page loads; scroll again to bring its rows into view.
  const scroller = page.getByTestId("keys-scroll");
  const status = page.getByRole("status").filter({ hasText: "keys loaded" });
  await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(status).toContainText(/^[2-9],000 keys loaded with prefix .* · more below$/);
  await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  const secondPageRow = table.getByRole("row").last();
  await expect(secondPageRow).toHaveAttribute("aria-rowindex", /^(1[0-9]{3}|[2-9][0-9]{3})$/);
  expect(Number(await secondPageRow.getAttribute("aria-rowindex"))).toBeGreaterThan(1001);
  // Every loaded key still matches the filter.
  const lastVisible = secondPageRow.getByRole("link");
  await expect(lastVisible).toHaveText(/^https:\/\/shop\.example\.com\/blog\//);

  // Open a key: value and metadata.
  const name = (await lastVisible.textContent())!;
  await table.getByRole("link", { name, exact: true }).click();
  const panel = page.getByRole("complementary", { name });
  await expect(panel.getByRole("heading", { name })).toBeVisible();
  await expect(panel.getByLabel("Value content")).toContainText("cached page");
  await expect(panel.getByLabel("Metadata content")).toContainText('"cache-tag": "blog"');
  await expect(page).toHaveURL(/\/key\?/);
});

test("key panel: JSON pretty-printed, binary as hex, empty namespace explained", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "feature-flags" }).click();
  await page.getByRole("link", { name: "flag:checkout.new-flow" }).click();
  const flag = page.getByRole("complementary", { name: "flag:checkout.new-flow" });
  await expect(flag.getByLabel("Value content")).toHaveText('{\n  "enabled": true,\n  "rollout": 25\n}');
  await expect(flag).toContainText("JSON");

  await page.goto("/");
  await page.getByRole("link", { name: "assets" }).click();
  await page.getByRole("link", { name: "img/thumb-0001.png" }).click();
  const asset = page.getByRole("complementary", { name: "img/thumb-0001.png" });
  await expect(asset.getByLabel("Value content")).toContainText("00000000  89 50 4e 47 0d 0a 1a 0a");
  await expect(asset).toContainText("binary");
  const download = page.waitForEvent("download");
  await asset.getByRole("link", { name: "Download" }).click();
  expect((await download).suggestedFilename()).toBe("thumb-0001.png");

  await page.goto("/");
  await page.getByRole("link", { name: "empty-namespace" }).click();
  await expect(page.getByRole("heading", { name: "This namespace is empty" })).toBeVisible();
});

test("filter by name pattern and metadata; the URL carries the filter", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "sessions" }).click();
  await page.getByRole("button", { name: "More filters" }).click();
  await page.getByRole("textbox", { name: "Metadata field" }).fill("tier");
  await page.getByRole("textbox", { name: "Metadata value" }).fill("enterprise");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/metaField=tier/);
  const status = page.getByRole("status").filter({ hasText: "keys loaded" });
  await expect(status).toContainText("matching keys loaded");
  const metadata = await page.getByRole("table").locator("tbody tr[aria-rowindex] td:last-child").allTextContents();
  expect(metadata.length).toBeGreaterThan(5);
  for (const text of metadata) expect(text).toContain('"tier":"enterprise"');

  // A link with the filter opens the same view.
  await page.goto(page.url());
  await expect(page.getByRole("textbox", { name: "Metadata value" })).toHaveValue("enterprise");
  await page.getByRole("textbox", { name: "Name pattern" }).fill("session:0*");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/glob=session%3A0\*/);
  const names = await page.getByRole("table").locator("tbody tr[aria-rowindex] a").allTextContents();
  for (const name of names) expect(name.startsWith("session:0")).toBe(true);
});

test("an upstream that is down, and a namespace that does not exist, are explained", async ({ page, request }) => {
  await page.goto("/");
  await setFaults(request, { error: 1 });
  try {
    await page.getByRole("link", { name: "feature-flags" }).click();
    const alert = page.getByRole("alert");
    await expect(alert).toContainText("Upstream unavailable");
    await expect(alert.getByRole("button", { name: "Try again" })).toBeVisible();
  } finally {
    await setFaults(request, { error: 0 });
  }
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "feature-flags" })).toBeVisible();

  const accountPath = new URL(page.url()).pathname.split("/namespaces/")[0];
  await page.goto(`${accountPath}/namespaces/0000000000000000000000000000dead`);
  await expect(page.getByRole("alert")).toContainText("Not found");
  await expect(page.getByRole("alert").getByRole("link", { name: "Back to namespaces" })).toBeVisible();
});

test("a filter that matches nothing stops reading the namespace until asked to keep looking", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "page-cache" }).click();
  const lists: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/list?")) lists.push(request.url());
  });
  await page.getByRole("button", { name: "More filters" }).click();
  await page.getByRole("textbox", { name: "Name pattern" }).fill("no-such-key-*");
  await page.getByRole("button", { name: "Filter" }).click();
  const keepLooking = page.getByRole("button", { name: "Keep looking" });
  await expect(keepLooking).toBeVisible({ timeout: 30_000 });
  const asked = lists.length;
  expect(asked).toBe(3); // the first page came with the document; then three empty answers
  // The table loads from an effect after each render: two frames after it showed the button, any
  // load it were still going to start would have been requested.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(lists.length).toBe(asked);
  await keepLooking.click();
  await expect.poll(() => lists.length).toBeGreaterThan(asked);
});

test("scrolling past the table's window lets the first rows go, every row keeps its place in the listing; back to the first key", async ({
  page,
  request,
}) => {
  // The e2e server keeps a window of 3,000 rows (KVDECK_KEYS_WINDOW_ROWS in playwright.config.ts).
  const title = `e2e-window-${Date.now()}`;
  // The keys show at once (the server's consistency delay is the other journeys').
  await setConsistencyDelay(request, 0);
  await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: 6_500 }, (_, i) => ({ key: `w:${String(i).padStart(5, "0")}`, value: "x" })),
  );
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  const table = page.getByRole("table", { name: `Keys of ${title}` });
  await expect(table.getByRole("row").nth(1)).toContainText("w:00000");
  const scroller = page.getByTestId("keys-scroll");
  const status = page.getByRole("status").filter({ hasText: "keys loaded" });

  // Each scroll to the end reads a page; past 3,000 rows the first ones are let go. Scroll until
  // every key was read: the window holds the last 3,000.
  await expect(async () => {
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(status).toContainText("all of them", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(status).toHaveText("3,501–6,500 of the keys loaded · all of them");
  await expect(page.getByRole("status").filter({ hasText: "were let go" })).toContainText(
    "The first 3,500 keys read were let go: the table keeps 3,000 keys around where you are.",
  );
  await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(table.locator("tbody tr[aria-rowindex]").last()).toHaveAttribute("aria-rowindex", "6501");
  // Every row drawn is the key at its place in the whole listing: its index counts the rows let go
  // (read in one go, as more pages may still arrive).
  const drawn = await table
    .locator("tbody tr[aria-rowindex]")
    .evaluateAll((rows) => rows.map((r) => [Number(r.getAttribute("aria-rowindex")), r.querySelector("a")?.textContent ?? ""] as const));
  expect(drawn.length).toBeGreaterThan(0);
  expect(drawn[0][0]).toBeGreaterThan(3501);
  for (const [index, name] of drawn) expect(name).toBe(`w:${String(index - 2).padStart(5, "0")}`);

  await page.getByRole("button", { name: "Back to the first key" }).click();
  await expect(table.getByRole("row").nth(1)).toContainText("w:00000");
  await expect(status).toContainText(/^[\d,]+ keys loaded · more below$/);
  await expect(page.getByRole("status").filter({ hasText: "were let go" })).toHaveCount(0);
});
