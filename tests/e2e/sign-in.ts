// Signing in through the form, for the setup project and for specs that need another user.
import type { Page } from "@playwright/test";

export const ADMIN_STATE = ".cache/e2e-admin.json";
/** KVDECK_ADMIN_PASSWORD in playwright.config.ts. */
export const ADMIN_PASSWORD = "e2e-admin-password";

export async function signInThroughForm(page: Page, username: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
