import { expect, test } from "@playwright/test";

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

  // Scroll to the end of what is loaded until a second page has arrived.
  const scroller = page.getByTestId("keys-scroll");
  await expect(async () => {
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText(/^(2,000|[2-9],\d{3}|\d{2},\d{3}) keys loaded/, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  // Every loaded key still matches the filter, and rows past the first page are rendered.
  const lastVisible = table.getByRole("row").last().getByRole("link");
  await expect(lastVisible).toHaveText(/^https:\/\/shop\.example\.com\/blog\//);
  const rowIndex = Number(await table.getByRole("row").last().getAttribute("aria-rowindex"));
  expect(rowIndex).toBeGreaterThan(1001);

  // Open a key: value and metadata.
  const name = (await lastVisible.textContent())!;
  await lastVisible.click();
  const panel = page.getByRole("complementary", { name });
  await expect(panel.getByRole("heading", { name })).toBeVisible();
  await expect(panel.getByLabel("Value")).toContainText("cached page");
  await expect(panel.getByLabel("Metadata")).toContainText('"cache-tag": "blog"');
  await expect(page).toHaveURL(/\/key\?/);
});

test("key panel: JSON pretty-printed, binary as hex, empty namespace explained", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "feature-flags" }).click();
  await page.getByRole("link", { name: "flag:checkout.new-flow" }).click();
  const flag = page.getByRole("complementary", { name: "flag:checkout.new-flow" });
  await expect(flag.getByLabel("Value")).toHaveText('{\n  "enabled": true,\n  "rollout": 25\n}');
  await expect(flag).toContainText("JSON");

  await page.goto("/");
  await page.getByRole("link", { name: "assets" }).click();
  await page.getByRole("link", { name: "img/thumb-0001.png" }).click();
  const asset = page.getByRole("complementary", { name: "img/thumb-0001.png" });
  await expect(asset.getByLabel("Value")).toContainText("00000000  89 50 4e 47 0d 0a 1a 0a");
  await expect(asset).toContainText("binary");
  const download = page.waitForEvent("download");
  await asset.getByRole("link", { name: "Download" }).click();
  expect((await download).suggestedFilename()).toBe("thumb-0001.png");

  await page.goto("/");
  await page.getByRole("link", { name: "empty-namespace" }).click();
  await expect(page.getByRole("heading", { name: "This namespace is empty" })).toBeVisible();
});
