import { expect, test, type Page } from "@playwright/test";
import { ADMIN_PASSWORD, signInThroughForm } from "./sign-in";
import { createNamespaceWithKeys, setConsistencyDelay } from "./local-kv";

const signedOut = { cookies: [], origins: [] };

test.describe("signed out", () => {
  test.use({ storageState: signedOut });

  test("sign-in: a wrong password is refused, the right one lets you in, sign-out ends it", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2F$/);

    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
    await expect(page).toHaveURL(/\/sign-in/);

    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByLabel("Signed in as")).toHaveText("admin · Admin");
    await expect(page).not.toHaveURL(/sign-in/);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
    await page.goto("/admin/users");
    await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fadmin%2Fusers$/);
  });
});

test("a viewer created on the admin page sees no controls that change keys", async ({ page, browser, request }) => {
  const username = `viewer-${Date.now()}`;
  const password = "viewer-e2e-password";
  await setConsistencyDelay(request, 0);
  const title = `e2e-viewer-${Date.now()}`;
  await createNamespaceWithKeys(request, title, [{ key: "readable", value: "only to be read" }]);
  await setConsistencyDelay(request, 2000);

  await page.goto("/admin/users");
  const add = page.getByRole("region", { name: "Add a user" });
  await add.getByLabel("Username").fill(username);
  await add.getByLabel("Role").selectOption("viewer");
  await add.getByLabel("Initial password").fill(password);
  await add.getByRole("button", { name: "Add user" }).click();
  await expect(add.getByRole("status")).toHaveText(`Created ${username} (viewer).`);
  await expect(page.getByRole("row", { name: username })).toBeVisible();

  const context = await browser.newContext({ storageState: signedOut });
  try {
    const viewer = await context.newPage();
    await signInThroughForm(viewer, username, password);
    await expect(viewer.getByLabel("Signed in as")).toHaveText(`${username} · Viewer`);
    await expect(viewer.getByRole("link", { name: "Admin" })).toHaveCount(0);

    await viewer.goto("/");
    await viewer.getByRole("link", { name: title }).click();
    const table = viewer.getByRole("table", { name: `Keys of ${title}` });
    await expect(table.getByRole("link", { name: "readable" })).toBeVisible();
    await expect(viewer.getByRole("button", { name: "New key" })).toHaveCount(0);
    await expect(viewer.getByRole("checkbox")).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: /^Delete/ })).toHaveCount(0);

    // The admin pages are closed to them, whatever the UI shows.
    const response = await viewer.goto("/admin/users");
    expect(response?.status()).toBe(403);
  } finally {
    await context.close();
  }
});

test("a key name and metadata full of markup render as text, and no script runs", async ({ page, request }) => {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // kvdeck's own scripts must run under its CSP without a single violation.
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const name = "<img src=x onerror=alert(1)>";
  const title = `e2e-xss-${Date.now()}`;
  await setConsistencyDelay(request, 0);
  await createNamespaceWithKeys(request, title, [
    { key: name, value: "<script>alert(2)</script>", metadata: { x: "<script>alert(1)</script>" } },
  ]);
  await setConsistencyDelay(request, 2000);

  await page.goto("/");
  await page.getByRole("link", { name: title }).click();
  const table = page.getByRole("table", { name: `Keys of ${title}` });
  const link = table.getByRole("link", { name, exact: true });
  await expect(link).toHaveText(name);
  await link.click();
  const panel = page.getByRole("complementary", { name });
  await expect(panel.getByLabel("Metadata content")).toContainText('"x": "<script>alert(1)</script>"');
  await expect(panel.getByLabel("Value content")).toHaveText("<script>alert(2)</script>");
  await page.reload();
  await expect(page.getByRole("complementary", { name })).toBeVisible();

  expect(await page.locator("img[src='x']").count()).toBe(0);
  await expectNoScriptRan(page, dialogs);
  expect(violations).toEqual([]);
});

async function expectNoScriptRan(page: Page, dialogs: string[]) {
  // An injected handler would have fired by now: the page has loaded and painted twice since.
  await page.waitForFunction(() => document.readyState === "complete");
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(dialogs).toEqual([]);
}

test("an admin adds and deletes a Cloudflare connection; its token is never shown; the audit log says so", async ({ page }) => {
  const token = "cf-secret-token-XYZ";
  const name = `e2e-cf-${Date.now()}`;
  await page.goto("/admin/connections");
  const add = page.getByRole("region", { name: "Add a connection" });
  await add.getByLabel("Name").fill(name);
  await add.getByLabel("Account id").fill("ab".repeat(16));
  await add.getByLabel("API token").fill(token);
  await add.getByRole("button", { name: "Add connection" }).click();
  await expect(add.getByRole("status")).toHaveText(`Added ${name}.`);
  const row = page.getByRole("row", { name });
  await expect(row).toContainText("token stored (sealed)");
  expect(await page.content()).not.toContain(token);

  await row.getByRole("button", { name: `Delete ${name}…` }).click();
  await row.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(page.getByRole("row", { name })).toHaveCount(0);

  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Action").selectOption("connection.delete");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=connection\.delete/);
  await expect(page.getByRole("table", { name: /Audit events/ })).toContainText(name);
  expect(await page.content()).not.toContain(token);
});
