// What people see: expiry filters in the URL, pages that fit a phone, names with control and
// bidi characters shown escaped, focus rings, labels, a failed delete's text, value sizes.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { deleteRefusedKey } from "./helpers";
import { ACCOUNT, LOCAL_TOKEN, createNamespaceWithKeys, setConsistencyDelay, setFaults } from "./local-kv";

const auth = { Authorization: `Bearer ${LOCAL_TOKEN}` };
const namespaces = `/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces`;

async function putValue(request: APIRequestContext, namespaceId: string, key: string, value: string | Buffer, query = "") {
  const response = await request.put(`${namespaces}/${namespaceId}/values/${encodeURIComponent(key)}${query}`, {
    headers: auth,
    data: value,
  });
  if (!response.ok()) throw new Error(`put ${key}: ${response.status()} ${await response.text()}`);
}

async function openNamespace(page: Page, title: string) {
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
}

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
});

test.afterEach(async ({ request }) => {
  await setFaults(request, { latencyMs: 0, failKeys: null });
  await setConsistencyDelay(request, 2000);
});

test("filter by expiry: expiring before a time, already expired, no expiry; the URL carries it and the purge count uses it", async ({
  page,
  request,
}) => {
  const title = `e2e-expiry-${Date.now()}`;
  const id = await createNamespaceWithKeys(request, title, []);
  const nowS = Math.floor(Date.now() / 1000);
  const written = await request.put(`${namespaces}/${id}/bulk`, {
    headers: auth,
    data: [
      { key: "soon:1", value: "x", expiration: nowS + 3600 },
      { key: "soon:2", value: "x", expiration: nowS + 7200 },
      { key: "later:1", value: "x", expiration: nowS + 30 * 86400 },
      { key: "forever:1", value: "x" },
      { key: "forever:2", value: "x" },
      { key: "forever:3", value: "x" },
    ],
  });
  expect(written.ok()).toBe(true);
  await openNamespace(page, title);
  const table = page.getByRole("table", { name: `Keys of ${title}` });
  const names = () => table.locator("tbody tr[aria-rowindex] a").allTextContents();
  await expect(table.getByRole("link")).toHaveCount(6);

  await page.getByRole("button", { name: "More filters" }).click();
  await page.getByLabel("Expiry").selectOption({ label: "no expiry" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/expiry=never/);
  await expect(table.getByRole("link")).toHaveCount(3);
  expect(await names()).toEqual(["forever:1", "forever:2", "forever:3"]);

  // Select all matching counts with the same rule, and the purge dialog says so.
  await page.getByRole("button", { name: "Select all matching" }).click();
  const all = page.getByRole("group", { name: "All matching keys" });
  await expect(all).toContainText("All 3 keys matching never expiring are selected.");
  await all.getByRole("button", { name: "Clear selection" }).click();

  const before = new Date((nowS + 86400) * 1000).toISOString().slice(0, 16);
  await page.getByLabel("Expiry").selectOption({ label: "expiring before…" });
  await page.getByLabel("Expiring before (UTC)").fill(before);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(new RegExp(`expiry=before&expiresBefore=${encodeURIComponent(before)}`));
  await expect(table.getByRole("link")).toHaveCount(2);
  expect(await names()).toEqual(["soon:1", "soon:2"]);

  // The link opens the same view, with the form showing the filter.
  await page.goto(page.url());
  await expect(table.getByRole("link")).toHaveCount(2);
  await expect(page.getByLabel("Expiry")).toHaveValue("before");
  await expect(page.getByLabel("Expiring before (UTC)")).toHaveValue(before);

  // The local KV API never lists an expired key, so "already expired" finds none here.
  await page.getByLabel("Expiry").selectOption({ label: "already expired" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/expiry=expired/);
  await expect(page.getByRole("heading", { name: "No matching keys" })).toBeVisible();
  await expect(page.getByText(/No key matches expiring before \d{4}-\d{2}-\d{2}T/)).toBeVisible();

  await page.goto(`${new URL(page.url()).pathname}?expiry=before`);
  await expect(page.getByRole("alert")).toContainText("The filter was not applied: Give the time for “expiring before”.");
});

test.describe("on a phone (390 × 844)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("every page fits the width, and long page-cache key names show the end that tells them apart", async ({ page }) => {
    const fits = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Namespaces" })).toBeVisible();
    await fits();
    await page.getByRole("link", { name: "page-cache" }).click();
    const table = page.getByRole("table", { name: /Keys of page-cache/ });
    const first = table.locator("tbody tr[aria-rowindex]").first().getByRole("link");
    await expect(first).toBeVisible();
    await fits();

    // Cut in the middle: the accessible name and the title are the whole name; its end is on screen.
    const full = /^https:\/\/shop\.example\.com\/[a-z]+\/\d{7}-[0-9a-f]{6}$/;
    await expect(first).toHaveAccessibleName(full);
    const name = (await first.textContent())!;
    expect(name).toMatch(full);
    await expect(first.locator("[title]")).toHaveAttribute("title", name);
    const end = first.getByText(name.slice(-14), { exact: true });
    await expect(end).toBeVisible();
    const box = (await end.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    // A table cell clips what does not fit: the end must lie inside the cell, not past its edge.
    const cell = (await first.locator("xpath=ancestor::td").boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(cell.x + cell.width);

    await first.click();
    await expect(page.getByRole("complementary", { name })).toBeVisible();
    await fits();

    const pages: [string, string | RegExp][] = [
      ["/jobs", /^Jobs/],
      ["/admin/users", "Users"],
      ["/admin/connections", "Connections"],
      ["/admin/audit", "Audit log"],
    ];
    for (const [path, heading] of pages) {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
      await fits();
    }
  });

  test("a hex dump keeps its lines whole and scrolls inside the panel", async ({ page }) => {
    await openNamespace(page, "assets");
    await page.getByRole("link", { name: "img/thumb-0001.png" }).click();
    const hex = page.getByRole("complementary", { name: "img/thumb-0001.png" }).getByLabel("Value content");
    await expect(hex).toContainText("00000000  89 50 4e 47 0d 0a 1a 0a");
    const layout = await hex.evaluate((el) => ({ whiteSpace: getComputedStyle(el).whiteSpace, scrolls: el.scrollWidth > el.clientWidth }));
    expect(layout).toEqual({ whiteSpace: "pre", scrolls: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});

test("a name with a U+202E shows it as a visible escape, in the table, the panel, the dialog and the toast", async ({ page, request }) => {
  const title = `e2e-bidi-${Date.now()}`;
  const id = await createNamespaceWithKeys(request, title, [{ key: "plain", value: "x" }]);
  const raw = "abc\u202Edef.txt";
  const shown = "abc\\u202Edef.txt";
  await putValue(request, id, raw, "spoof");
  await openNamespace(page, title);
  const table = page.getByRole("table", { name: `Keys of ${title}` });
  const link = table.getByRole("link", { name: shown });
  await expect(link).toHaveText(shown);
  await expect(link.locator("[data-escape]")).toHaveText("\\u202E");
  expect(await page.locator("main").innerText()).not.toContain("\u202E");

  await link.click();
  const panel = page.getByRole("complementary", { name: shown });
  await expect(panel.getByRole("heading", { name: shown })).toBeVisible();
  await panel.getByRole("button", { name: "Delete key" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 1 key from ${title}?` });
  await expect(dialog).toContainText(shown);
  expect(await dialog.innerText()).not.toContain("\u202E");
  await dialog.getByRole("button", { name: "Delete 1 key" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 key" })).toBeVisible();
  await expect(table.getByRole("link", { name: shown })).toHaveCount(0);
});

test("keyboard focus shows one theme ring on links and buttons, and on the list's row only when the list has keyboard focus", async ({
  page,
  request,
}) => {
  const title = `e2e-focus-${Date.now()}`;
  await createNamespaceWithKeys(request, title, [
    { key: "a", value: "1" },
    { key: "b", value: "2" },
    { key: "c", value: "3" },
  ]);
  await openNamespace(page, title);
  const rows = page.getByRole("table", { name: `Keys of ${title}` }).locator("tbody tr[aria-rowindex]");
  await expect(rows).toHaveCount(3);
  const outlines = () => rows.evaluateAll((trs) => trs.map((tr) => getComputedStyle(tr).outlineStyle));
  expect(await outlines()).toEqual(["none", "none", "none"]);

  // A mouse click in the list focuses it without a ring.
  await rows.nth(1).getByRole("cell").nth(2).click();
  await expect(page.getByRole("group", { name: /^Keys list/ })).toBeFocused();
  expect(await outlines()).toEqual(["none", "none", "none"]);

  // Tab into the list from the filter: the cursor's row, and only it, shows the ring.
  await page.getByRole("searchbox", { name: "Prefix" }).click();
  for (let i = 0; i < 10 && !(await page.getByRole("group", { name: /^Keys list/ }).evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(page.getByRole("group", { name: /^Keys list/ })).toBeFocused();
  await expect.poll(outlines).toEqual(["solid", "none", "none"]);
  await page.keyboard.press("j");
  await expect.poll(outlines).toEqual(["none", "solid", "none"]);

  // A link and a button, focused from the keyboard, wear the same ring.
  const ringOf = () =>
    page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return { tag: document.activeElement!.tagName, ring: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` };
    });
  await page.goto("/");
  await page.keyboard.press("Tab");
  const link = await ringOf();
  expect(link.tag).toBe("A");
  let button = link;
  for (let i = 0; i < 15 && button.tag !== "BUTTON"; i++) {
    await page.keyboard.press("Tab");
    button = await ringOf();
  }
  expect(button.tag).toBe("BUTTON");
  expect(link.ring).toMatch(/^solid 2px /);
  expect(button.ring).toBe(link.ring);
});

test("More filters have visible labels", async ({ page }) => {
  await openNamespace(page, "sessions");
  await page.getByRole("button", { name: "More filters" }).click();
  for (const label of ["Prefix", "Name pattern", "Metadata field", "Metadata comparison", "Metadata value", "Expiry"]) {
    const filters = page.getByRole("search", { name: "Filter keys" });
    await expect(filters.locator("label", { hasText: label }).first()).toBeVisible();
    await expect(filters.getByLabel(label, { exact: true })).toBeVisible();
  }
});

test("a failed delete says Delete failed and why; a large value shows its real size", async ({ page, request }) => {
  const title = `e2e-fail-${Date.now()}`;
  const id = await createNamespaceWithKeys(request, title, [
    { key: "doomed", value: "x" },
    { key: "kept", value: "y" },
  ]);
  await putValue(request, id, "big", Buffer.alloc(200_000, "a"));
  await openNamespace(page, title);

  await page.getByRole("link", { name: "big", exact: true }).click();
  const panel = page.getByRole("complementary", { name: "big" });
  await expect(panel.getByText("Showing the first part of a large value.")).toBeVisible();
  await expect(panel.getByRole("definition").filter({ hasText: "KiB" })).toHaveText("195 KiB");

  const row = await deleteRefusedKey(page, request, "doomed");
  await expect(row).toHaveAttribute("data-status", "error");
  await expect(row).toContainText('Delete failed: Internal error deleting "doomed"');
  await expect(row).not.toContainText("writing");
});

test("a U+202E in a namespace title, a key and a rule shows escaped in the audit log and on the job pages", async ({ page, request }) => {
  const stamp = Date.now();
  const title = `e2e-jobs\u202E-${stamp}`;
  const shownTitle = `e2e-jobs\\u202E-${stamp}`;
  const id = await createNamespaceWithKeys(request, title, [{ key: "plain", value: "x" }]);
  await putValue(request, id, "abc\u202Edel.txt", "spoof");
  await putValue(request, id, "abc\u202Eexp.txt", "spoof");
  const noRawBidi = async () => expect(await page.locator("body").innerText()).not.toContain("\u202E");

  // A delete through the UI: the audit log records the key's name.
  await openNamespace(page, shownTitle);
  await page.getByRole("link", { name: "abc\\u202Edel.txt" }).click();
  await page.getByRole("complementary", { name: "abc\\u202Edel.txt" }).getByRole("button", { name: "Delete key" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete 1 key" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 key" })).toBeVisible();

  // A purge by a prefix holding the character, whose one key fails: the job's error report names it.
  await setFaults(request, { failKeys: "\u202E" });
  await page.getByRole("searchbox", { name: "Prefix" }).fill("abc\u202E");
  await page.getByRole("searchbox", { name: "Prefix" }).press("Enter");
  const table = page.getByRole("table", { name: /^Keys of / });
  await expect(table.getByRole("link")).toHaveCount(1);
  await page.getByRole("button", { name: "Select all matching" }).click();
  const all = page.getByRole("group", { name: "All matching keys" });
  await expect(all).toContainText("All 1 keys matching prefix “abc\\u202E” are selected.");
  await noRawBidi();
  await all.getByRole("button", { name: "Delete 1 key" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete 1 key" }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]+$/);
  const errors = page.getByRole("region", { name: /^Errors/ });
  await expect(errors.getByRole("listitem").filter({ hasText: "abc\\u202Eexp.txt" })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("main")).toContainText(`prefix “abc\\u202E” in ${shownTitle}`);
  await noRawBidi();

  await page.goto("/jobs");
  await expect(page.getByRole("row").filter({ hasText: shownTitle }).first()).toContainText("prefix “abc\\u202E”");
  await noRawBidi();

  await page.goto("/admin/audit?action=key.delete");
  const deleted = page.getByRole("row").filter({ hasText: "key abc\\u202Edel.txt" });
  await expect(deleted).toHaveCount(1);
  await expect(deleted.locator("[data-escape]").first()).toHaveText("\\u202E");
  await noRawBidi();
  await page.goto("/admin/audit");
  await noRawBidi();
});

test.describe("on a phone, a failed row", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("shows its failure, Retry and Dismiss inside the screen, and they work", async ({ page, request }) => {
    const title = `e2e-phone-fail-${Date.now()}`;
    await createNamespaceWithKeys(request, title, [
      { key: "doomed", value: "x" },
      { key: "kept", value: "y" },
    ]);
    await openNamespace(page, title);
    const row = await deleteRefusedKey(page, request, "doomed");
    await expect(row).toHaveAttribute("data-status", "error");
    // One copy shows, where it fits: on a phone under the name; the metadata column's copy is hidden.
    const badge = row.getByText("Delete failed", { exact: true }).locator("visible=true");
    await expect(badge).toHaveCount(1);
    const badgeBox = (await badge.boundingBox())!;
    expect(badgeBox.x + badgeBox.width).toBeLessThanOrEqual(390);

    const retry = row.getByRole("button", { name: "Retry doomed" });
    const dismiss = row.getByRole("button", { name: "Dismiss error on doomed" });
    for (const button of [retry, dismiss]) {
      await expect(button).toBeVisible();
      const box = (await button.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      // Inside its cell too: a cell clips what does not fit, so a box past its edge is cut off.
      const cell = (await button.locator("xpath=ancestor::td").boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(cell.x + cell.width);
      await button.click({ trial: true });
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // Dismiss puts the row back as it was; the key is still there.
    await dismiss.click();
    await expect(row).not.toHaveAttribute("data-status", "error");
    await expect(row.getByRole("button", { name: "Retry doomed" })).toHaveCount(0);
  });
});
