// Steps several journeys share on a namespace's page.
import { type APIRequestContext, type Page, expect } from "@playwright/test";
import { createNamespaceWithKeys, setFaults } from "./local-kv";

/**
 * Deletes one key from the selection toolbar while the upstream refuses it; returns its row, which
 * comes back with the failure.
 */
export async function deleteRefusedKey(page: Page, request: APIRequestContext, name: string) {
  await setFaults(request, { failKeys: `^${name}$` });
  await page.getByRole("checkbox", { name: `Select ${name}` }).click();
  await page.getByRole("toolbar", { name: "Selection" }).getByRole("button", { name: "Delete 1 key" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete 1 key" }).click();
  return page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
}

/**
 * Creates the namespace `title` holding `keys` keys `tmp:…` (at least 100: the purge's count is
 * typed to confirm), counts them with "Select all matching" and purges them all, the upstream
 * holding the purge's bulk deletes (10,000 keys each) after the first, so its progress stands for as
 * long as a test looks at it; returns the namespace's id and the job page's path, once there.
 */
export async function startHeldPurge(page: Page, request: APIRequestContext, title: string, keys: number) {
  const count = keys.toLocaleString("en-US");
  const digits = String(keys - 1).length;
  const namespaceId = await createNamespaceWithKeys(
    request,
    title,
    Array.from({ length: keys }, (_, i) => ({ key: `tmp:${String(i).padStart(digits, "0")}`, value: "x" })),
  );
  await page.goto("/");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("button", { name: "Select all matching" }).click();
  const selection = page.getByRole("group", { name: "All matching keys" });
  await expect(selection).toContainText(`All ${count} keys`);
  await setFaults(request, { holdBulkDeletesAfter: 1 });
  await selection.getByRole("button", { name: `Delete ${count} keys` }).click();
  const dialog = page.getByRole("alertdialog");
  // These journeys watch a purge's progress: no recycle copy (its 1,000 bulk gets per 100,000 keys
  // would only lengthen them; tests/e2e/recycle.spec.ts covers the copy).
  await dialog.getByRole("checkbox", { name: /Keep a copy in the recycle bin/ }).uncheck();
  await dialog.getByRole("textbox").fill(String(keys));
  await dialog.getByRole("button", { name: `Delete ${count} keys` }).click();
  await expect(page).toHaveURL(/\/jobs\/[^/]+$/);
  return { namespaceId, jobPath: new URL(page.url()).pathname };
}
