// Steps several journeys share on a namespace's page.
import type { APIRequestContext, Page } from "@playwright/test";
import { setFaults } from "./local-kv";

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
