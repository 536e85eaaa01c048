import { expect, test } from "@playwright/test";
import { createNamespaceWithKeys, listKeyNames, setConsistencyDelay, setFaults } from "./local-kv";

const keys = Array.from({ length: 8 }, (_, i) => ({ key: `doc:${i}`, value: `value ${i}`, metadata: { n: i } }));

test.beforeEach(async ({ request }) => {
  await setConsistencyDelay(request, 0);
  await setFaults(request, { latencyMs: 0, failKeys: null, holdBulkDeletesAfter: null });
});

test.afterEach(async ({ request }) => {
  await setConsistencyDelay(request, 2000);
});

test("delete selected keys, click Undo in the toast: the rows are back at once and stay after a reload", async ({ page, request }) => {
  const title = `e2e-undo-${Date.now()}`;
  const namespaceId = await createNamespaceWithKeys(request, title, keys);
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  const table = page.getByRole("table", { name: `Keys of ${title}` });
  await page.getByRole("checkbox", { name: "Select doc:2" }).click();
  await page.getByRole("checkbox", { name: "Select doc:4" }).click({ modifiers: ["Shift"] });
  await page.getByRole("toolbar", { name: "Selection" }).getByRole("button", { name: "Delete 3 keys" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 3 keys from ${title}?` });
  // The copy is kept by default, and the dialog says what it costs.
  await expect(dialog.getByRole("checkbox", { name: /Keep a copy in the recycle bin/ })).toBeChecked();
  await expect(dialog).toContainText("Costs 1 request");
  await expect(dialog).toContainText("You can undo this from the recycle bin.");
  await dialog.getByRole("button", { name: "Delete 3 keys" }).click();
  const toast = page.getByRole("status").filter({ hasText: "Deleted 3 keys" });
  await expect(toast).toBeVisible();
  for (const name of ["doc:2", "doc:3", "doc:4"]) await expect(table.getByRole("link", { name, exact: true })).toHaveCount(0);
  await expect.poll(() => listKeyNames(request, namespaceId)).not.toContain("doc:3");

  // From now on the upstream takes a minute to list a write: only kvdeck's marks can show the restored rows.
  await setConsistencyDelay(request, 60_000);
  await toast.getByRole("button", { name: "Undo" }).click();
  for (const name of ["doc:2", "doc:3", "doc:4"]) await expect(table.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Restored 3 keys" })).toBeVisible();
  expect(await listKeyNames(request, namespaceId)).not.toContain("doc:3");

  await page.reload();
  for (const name of ["doc:2", "doc:3", "doc:4"]) {
    const row = table.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await expect(row).toHaveAttribute("data-status", "creating");
  }
  await expect(table.getByRole("link", { name: "doc:5", exact: true })).toBeVisible();
  expect(await listKeyNames(request, namespaceId)).not.toContain("doc:3");
});

test("restore chosen keys from the recycle bin, download the copies, then empty it", async ({ page, request }) => {
  const title = `e2e-bin-${Date.now()}`;
  const namespaceId = await createNamespaceWithKeys(request, title, keys.slice(0, 4));
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("checkbox", { name: "Select all loaded keys" }).click();
  await page.getByRole("button", { name: "Delete 4 keys" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete 4 keys" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 4 keys" })).toBeVisible();

  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Recycle bin" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Recycle bin of ${title}`);
  const bin = page.getByRole("table", { name: "Deletions in the recycle bin, newest first" });
  const deletion = bin.getByRole("row").filter({ hasText: "4 selected keys" });
  await expect(deletion).toContainText("admin");
  await expect(deletion.getByRole("cell").nth(3)).toHaveText("4");

  // The copies as NDJSON: the export format, one key a line, values and metadata as they were.
  const href = await deletion.getByRole("link", { name: "Download 4 selected keys as NDJSON" }).getAttribute("href");
  const file = await page.request.get(href!);
  expect(file.headers()["content-type"]).toContain("application/x-ndjson");
  const lines = (await file.text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines).toEqual(keys.slice(0, 4).map((k) => ({ key: k.key, value: k.value, metadata: k.metadata })));

  await deletion.getByRole("link", { name: "Keys of 4 selected keys" }).click();
  const opened = page.getByRole("region", { name: "Keys of 4 selected keys" });
  await opened.getByRole("checkbox", { name: "Select doc:1" }).check();
  await opened.getByRole("button", { name: "Restore 1 selected" }).click();
  const dialog = page.getByRole("dialog", { name: "Restore 1 key?" });
  await expect(dialog.getByRole("checkbox", { name: /Overwrite keys written since/ })).not.toBeChecked();
  await dialog.getByRole("button", { name: "Restore 1 key" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Restored 1 key." })).toBeVisible();
  await expect(deletion.getByRole("cell").nth(3)).toHaveText("3");
  await expect.poll(() => listKeyNames(request, namespaceId)).toEqual(["doc:1"]);

  await deletion.getByRole("button", { name: "Empty 4 selected keys" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Empty 4 selected keys?" });
  await confirm.getByRole("button", { name: "Empty" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Emptied" })).toBeVisible();
  await expect(page.getByText("The recycle bin of this namespace is empty.")).toBeVisible();

  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Keys" }).click();
  await expect(page.getByRole("table", { name: `Keys of ${title}` }).getByRole("link", { name: "doc:1", exact: true })).toBeVisible();
});

test("a delete whose copy is skipped says so and offers no undo", async ({ page, request }) => {
  const title = `e2e-nocopy-${Date.now()}`;
  await createNamespaceWithKeys(request, title, keys.slice(0, 2));
  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("checkbox", { name: "Select doc:0" }).click();
  await page.getByRole("toolbar", { name: "Selection" }).getByRole("button", { name: "Delete 1 key" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete 1 key from ${title}?` });
  await dialog.getByRole("checkbox", { name: /Keep a copy in the recycle bin/ }).uncheck();
  await expect(dialog).toContainText("This cannot be undone.");
  await dialog.getByRole("button", { name: "Delete 1 key" }).click();
  const toast = page.getByRole("status").filter({ hasText: "Deleted 1 key" });
  await expect(toast).toContainText("No copy was kept.");
  await expect(toast.getByRole("button", { name: "Undo" })).toHaveCount(0);
  await page.getByRole("navigation", { name: "Namespace views" }).getByRole("link", { name: "Recycle bin" }).click();
  await expect(page.getByText("The recycle bin of this namespace is empty.")).toBeVisible();
});
