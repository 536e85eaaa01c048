// Signs in as the first admin and saves the browser state every spec starts from (the
// "chromium" project's storageState in playwright.config.ts).
import { expect, test as setup } from "@playwright/test";
import { ADMIN_PASSWORD, ADMIN_STATE, signInThroughForm } from "./sign-in";

setup("sign in as admin", async ({ page }) => {
  await signInThroughForm(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.context().storageState({ path: ADMIN_STATE });
});
