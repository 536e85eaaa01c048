import { expect, test } from "@playwright/test";
import { createNamespaceWithKeys, listKeyNames, setConsistencyDelay, setFaults } from "./local-kv";

const keys = Array.from({ length: 30 }, (_, i) => ({ key: `item:${String(i).padStart(3, "0")}`, value: `value ${i}`, metadata: { n: i } }));

test.beforeEach(async ({ request }) => {
  // Writes must be visible before the journey starts; the deletes it makes then stay listed a while.
  await setConsistencyDelay(request, 0);
  await setFaults(request, { latencyMs: 0, failKeys: null, holdBulkDeletesAfter: null });
});

test.afterEach(async ({ request }) => {
  await setFaults(request, { latencyMs: 0, failKeys: null, holdBulkDeletesAfter: null });
  await setConsistencyDelay(request, 2000);
});

test("select with click and shift-click, confirm, rows vanish before the response and stay gone after reload", async ({
  page,
  request,
}) => {
  const title = `e2e-select-${Date.now()}`;
  const namespaceId = await createNamespaceWithKeys(request, title, keys);
  await setConsistencyDelay(request, 10_000);
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  const table = page.getByRole("table", { name: `Keys of ${title}` });
  await expect(table.getByRole("link", { name: "item:000" })).toBeVisible();

  await page.getByRole("checkbox", { name: "Select item:002" }).click();
  await page.getByRole("checkbox", { name: "Select item:006" }).click({ modifiers: ["Shift"] });
  await page.getByRole("checkbox", { name: "Select item:010" }).click();
  const toolbar = page.getByRole("toolbar", { name: "Selection" });
  await expect(toolbar).toContainText("6 selected");

  // The upstream holds the bulk delete until the test lets it go: the rows must go before it answers.
  await setFaults(request, { holdBulkDeletesAfter: 0 });
  await toolbar.getByRole("button", { name: "Delete 6 keys" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 6 keys from ${title}?` });
  await expect(dialog).toContainText("item:002");
  await dialog.getByRole("button", { name: "Delete 6 keys" }).click();
  await expect(dialog).toBeHidden();
  for (const name of ["item:002", "item:003", "item:004", "item:005", "item:006", "item:010"]) {
    await expect(table.getByRole("link", { name, exact: true })).toHaveCount(0);
  }
  // The order, not a stopwatch, proves it: the rows went while the action had not answered yet.
  await expect(page.getByRole("status").filter({ hasText: "Deleted 6 keys" })).toHaveCount(0);
  await expect(table.getByRole("link", { name: "item:001", exact: true })).toBeVisible();
  await setFaults(request, { holdBulkDeletesAfter: null });
  await expect(page.getByRole("status").filter({ hasText: "Deleted 6 keys" })).toBeVisible({ timeout: 15_000 });

  // The upstream still lists them (consistency delay), yet a reload keeps them hidden.
  expect(await listKeyNames(request, namespaceId)).toContain("item:004");
  await page.reload();
  await expect(table.getByRole("link", { name: "item:001", exact: true })).toBeVisible();
  for (const name of ["item:002", "item:004", "item:006", "item:010"])
    await expect(table.getByRole("link", { name, exact: true })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "keys loaded" })).toContainText("24 keys loaded");
});

test("a key the upstream refuses comes back with an error badge, and retry works", async ({ page, request }) => {
  const title = `e2e-refuse-${Date.now()}`;
  await createNamespaceWithKeys(request, title, keys.slice(0, 5));
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  await setFaults(request, { failKeys: "^item:003$" });
  await page.getByRole("checkbox", { name: "Select all loaded keys" }).click();
  await page.getByRole("button", { name: "Delete 5 keys" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete 5 keys" }).click();
  const failure = page.getByRole("alert").filter({ hasText: "Deleted 4 of 5 keys; 1 failed" });
  await expect(failure).toBeVisible();
  await expect(failure).toContainText("item:003");

  // The audit log says who deleted how many, and that one failed.
  await page.goto("/admin/audit");
  const event = page.getByRole("table", { name: "Audit events, newest first" }).getByRole("row").filter({ hasText: "key.delete" }).first();
  await expect(event).toContainText("admin");
  await expect(event.getByRole("cell").nth(4)).toHaveText("5");
  await expect(event).toContainText("partial");
  await page.goBack();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "item:003" }) });
  await expect(row).toHaveAttribute("data-status", "error");
  await expect(row).toContainText("Delete failed");
  await expect(page.getByRole("link", { name: "item:001" })).toHaveCount(0);

  await setFaults(request, { failKeys: null });
  await row.getByRole("button", { name: "Retry item:003" }).click();
  await expect(page.getByRole("link", { name: "item:003" })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 key" })).toBeVisible();
});

test("100 or more keys need the count typed; the keyboard selects and deletes", async ({ page, request }) => {
  const title = `e2e-many-${Date.now()}`;
  const many = Array.from({ length: 120 }, (_, i) => ({ key: `bulk:${String(i).padStart(4, "0")}`, value: "x" }));
  await createNamespaceWithKeys(request, title, many);
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  const list = page.getByRole("group", { name: /^Keys list/ });
  await list.focus();
  await page.keyboard.press("j");
  await page.keyboard.press(" ");
  await expect(page.getByRole("checkbox", { name: "Select bulk:0001" })).toBeChecked();
  await page.keyboard.press("Control+a");
  await expect(page.getByRole("toolbar", { name: "Selection" })).toContainText("120 selected");
  await page.keyboard.press("Delete");
  const dialog = page.getByRole("alertdialog", { name: /Delete 120 keys/ });
  const confirm = dialog.getByRole("button", { name: "Delete 120 keys" });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole("textbox").fill("12");
  await expect(confirm).toBeDisabled();
  await dialog.getByRole("textbox").fill("120");
  await confirm.click();
  await expect(page.getByRole("heading", { name: "This namespace is empty" })).toBeVisible();
});

test("create a key and see it at once; edit a key and see the change at once", async ({ page, request }) => {
  const title = `e2e-create-${Date.now()}`;
  await createNamespaceWithKeys(request, title, keys.slice(0, 3));
  await setConsistencyDelay(request, 10_000);
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("button", { name: "New key" }).click();
  const dialog = page.getByRole("dialog", { name: "New key" });
  await dialog.getByLabel("Key name").fill("item:001a");
  await dialog.getByLabel("Value").fill('{"hello":"world"}');
  await dialog.getByLabel(/^Metadata/).fill("{not json");
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog).toContainText("Metadata must be JSON");
  await dialog.getByLabel(/^Metadata/).fill('{"owner":"e2e"}');
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "item:001a" }) });
  await expect(row).toHaveAttribute("data-status", "creating");
  // In key order, between item:001 and item:002.
  const names = await page.getByRole("table").getByRole("link").allTextContents();
  expect(names.indexOf("item:001a")).toBe(names.indexOf("item:001") + 1);
  await page.reload();
  await expect(page.getByRole("row").filter({ has: page.getByRole("link", { name: "item:001a" }) })).toHaveAttribute(
    "data-status",
    "creating",
  );

  // Edit an existing key's metadata from its panel: the row shows the change at once.
  await page.getByRole("table").getByRole("link", { name: "item:000", exact: true }).click();
  const panel = page.getByRole("complementary", { name: "item:000" });
  await panel.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit key" });
  await expect(edit.getByLabel("Value")).toHaveValue("value 0");
  await edit.getByLabel(/^Metadata/).fill('{"n":0,"edited":true}');
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  const edited = page.getByRole("row").filter({ has: page.getByRole("link", { name: "item:000", exact: true }) });
  await expect(edited).toHaveAttribute("data-status", "updating");
  await page.reload();
  await expect(edited).toHaveAttribute("data-status", "updating");
});

test("deleting a namespace requires typing its title", async ({ page, request }) => {
  const title = `e2e-doomed-${Date.now()}`;
  await createNamespaceWithKeys(request, title, keys.slice(0, 2));
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("button", { name: "Delete namespace" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete namespace ${title}?` });
  const confirm = dialog.getByRole("button", { name: "Delete namespace" });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole("textbox").fill(title.slice(0, -1));
  await expect(confirm).toBeDisabled();
  await dialog.getByRole("textbox").fill(title);
  await confirm.click();
  await expect(page.getByRole("heading", { name: "Namespaces" })).toBeVisible();
  await expect(page.getByRole("link", { name: title })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("link", { name: title })).toHaveCount(0);
});
