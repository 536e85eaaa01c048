// Sign-in and sessions, proved against the real server and the production build: every route the
// Remix manifest lists is closed without a session (documents redirect to sign-in; `.data`, JSON,
// event-stream and download requests get 401), forged and signed-out cookies are refused, sign-in
// is throttled per username and per address, and the audit log records all of it. Roles, origins,
// limits and secrets: auth-routes-roles.test.ts. The shared server: tests/helpers/auth-routes.ts.
//
// Needs `npm run build` first (it serves build/).
import { describe, expect, it } from "vitest";
import { describeWait } from "~/auth/throttle.server";
import {
  ACCOUNT,
  ADMIN_PASSWORD,
  actionUrl,
  actions,
  base,
  captured,
  closedLoaders,
  cookies,
  damagingForm,
  dataUrl,
  form,
  loaderUrl,
  routes,
  send,
  signIn,
  signInFrom,
  state,
  useAuthRoutesServer,
} from "../helpers/auth-routes";

useAuthRoutesServer();

describe("first start", () => {
  it("creates the admin from KVDECK_ADMIN_PASSWORD and says so without printing it", () => {
    const line = captured.find((l) => l.includes('created the first user "admin"'));
    expect(line).toMatch(/KVDECK_ADMIN_PASSWORD/);
    expect(captured.join("\n")).not.toContain(ADMIN_PASSWORD);
  });
});

describe("without a session", () => {
  it("the manifest has the routes this test expects to cover", () => {
    const ids = Object.keys(routes);
    expect(ids).toEqual(
      expect.arrayContaining(["routes/admin.users", "routes/admin.connections", "routes/admin.audit", "routes/admin.audit[.]csv"]),
    );
    expect(closedLoaders().length).toBeGreaterThanOrEqual(8);
  });

  it("every page redirects a browser to sign-in, remembering where it was going", async () => {
    for (const id of ["root", ...closedLoaders()]) {
      const url = id === "root" ? "/" : loaderUrl(id);
      const res = await send(url, { accept: "text/html,application/xhtml+xml" });
      expect(res.status, `${id} ${url}`).toBe(302);
      const location = new URL(res.headers.get("location")!, base);
      expect(location.pathname, id).toBe("/sign-in");
      expect(location.searchParams.get("redirectTo"), id).toBe(url);
    }
  });

  it("every single-fetch .data, JSON, event-stream or download request gets 401", async () => {
    for (const id of ["root", ...closedLoaders()]) {
      for (const [url, accept] of [
        [dataUrl(id), "*/*"],
        [loaderUrl(id), "application/json"],
        [loaderUrl(id), "text/event-stream"],
        [loaderUrl(id), "*/*"],
        [loaderUrl(id), ""],
      ]) {
        const res = await send(url, { accept });
        expect(res.status, `${id} ${url} (${accept})`).toBe(401);
        expect(JSON.parse(res.body), url).toMatchObject({ message: "Sign in to continue." });
      }
    }
  });

  it("every action is refused, as a document, as .data, and with an escaped or re-cased path", async () => {
    const before = await state();
    for (const id of actions()) {
      const p = actionUrl(id, false);
      const variants = [
        p,
        actionUrl(id, true),
        p.toUpperCase().replace("?INDEX", "?index"),
        p.replace(/^\/([a-z])/, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`),
      ];
      for (const url of variants) {
        const res = await send(url, { method: "POST", body: damagingForm() });
        expect([401, 403], `${id} POST ${url}`).toContain(res.status);
      }
      const doc = await send(p, { method: "POST", body: damagingForm(), accept: "text/html" });
      expect(doc.status, `${id} document POST`).toBe(303);
      expect(doc.headers.get("location")).toMatch(/^\/sign-in\?redirectTo=/);
    }
    expect(await state()).toEqual(before);
  });

  it("leaves /sign-in, /healthz, /favicon.ico and static files open, and the local KV API on its own bearer auth", async () => {
    expect((await send("/sign-in", { accept: "text/html" })).status).toBe(200);
    expect((await send("/healthz")).status).toBe(200);
    expect((await send("/favicon.svg")).status).toBe(200);
    const ico = await send("/favicon.ico");
    expect(ico.status).toBe(301);
    expect(ico.headers.get("location")).toBe("/favicon.svg");
    const api = await send(`/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces`);
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body).errors[0].code).toBe(10000);
    expect(api.headers.get("content-security-policy")).toBeNull();
  });

  it("refuses a forged, tampered or signed-out session cookie", async () => {
    for (const cookie of ["kvdeck_session=abc.def", `${cookies.viewer.slice(0, -3)}xyz`, "kvdeck_session="]) {
      const res = await send("/", { headers: { cookie }, accept: "text/html" });
      expect(res.status, cookie).toBe(302);
    }
    const session = await signIn("viewer-user", "viewer-password-123");
    const viewerCookie = session.cookie;
    const signedIn = await send("/admin", { headers: { cookie: viewerCookie }, accept: "text/html" });
    expect(signedIn.status).toBe(403);
    const out = await send("/sign-out", { method: "POST", headers: { cookie: viewerCookie }, accept: "text/html" });
    expect(out.status).toBe(302);
    expect(out.headers.get("set-cookie")).toMatch(/kvdeck_session=;.*Max-Age=0/);
    // The browser may keep the old cookie; the server no longer honours it.
    const after = await send("/admin", { headers: { cookie: viewerCookie }, accept: "text/html" });
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toBe("/sign-in?redirectTo=%2Fadmin");
  });
});

describe("throttling", () => {
  it("locks a username after 5 failures with a clear message, even for the right password", async () => {
    await send("/admin/users", {
      method: "POST",
      as: "admin",
      body: form({ intent: "create", username: "locky", role: "viewer", password: "locky-password" }),
    });
    for (let i = 0; i < 5; i++) {
      const res = await signIn("locky", `wrong-${i}`);
      expect(res.status).toBe(401);
      expect(res.body).toContain("Wrong username or password.");
    }
    const locked = await signIn("locky", "locky-password");
    expect(locked.status).toBe(429);
    expect(locked.body).toMatch(/Too many failed sign-ins for this username\. Sign-in is locked; try again in 1[45] minutes\./);
    expect(locked.cookie).toBe("");
    // Others are unaffected.
    expect((await signIn("admin", ADMIN_PASSWORD)).status).toBe(302);
  });

  it("checks exactly 5 passwords out of 30 parallel wrong sign-ins for one username, and says how long to wait", async () => {
    await send("/admin/users", {
      method: "POST",
      as: "admin",
      body: form({ intent: "create", username: "racer", role: "viewer", password: "racer-password" }),
    });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => signInFrom("127.0.0.3", "racer", `wrong-${i}`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)]);
    for (const locked of results.filter((r) => r.status === 429)) {
      const retryAfter = Number(locked.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(locked.body).toContain(
        `Too many failed sign-ins for this username. Sign-in is locked; try again in ${describeWait(retryAfter)}.`,
      );
    }
    // The audit log agrees: 5 passwords checked, 25 attempts refused unchecked.
    const csv = await send("/admin/audit.csv?action=auth.sign_in_failed&user=racer", { as: "admin" });
    const rows = csv.body.trimEnd().split("\r\n").slice(1);
    expect(rows.filter((r) => r.includes("wrong password"))).toHaveLength(5);
    expect(rows.filter((r) => r.includes("locked (client)"))).toHaveLength(25);
  });

  it("guessing from one address does not lock the owner out from another, admin included", async () => {
    for (let i = 0; i < 5; i++) expect((await signInFrom("127.0.0.4", "admin", `guess-${i}`)).status).toBe(401);
    const attacker = await signInFrom("127.0.0.4", "admin", ADMIN_PASSWORD);
    expect(attacker.status).toBe(429);
    expect(attacker.headers.get("set-cookie")).toBeNull();
    const owner = await signInFrom("127.0.0.5", "admin", ADMIN_PASSWORD);
    expect(owner.status).toBe(302);
    expect(owner.headers.get("set-cookie")).toMatch(/^kvdeck_session=/);
    // The owner's success forgives the owner's address only.
    expect((await signInFrom("127.0.0.4", "admin", ADMIN_PASSWORD)).status).toBe(429);
  });
});

describe("audit", () => {
  it("records sign-ins, failed sign-ins, sign-outs and user changes, and exports them as CSV", async () => {
    const csv = await send("/admin/audit.csv", { as: "admin" });
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="kvdeck-audit-\d{8}-\d{6}\.csv"$/);
    const lines = csv.body.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,at,user_id,username,action,target,count,outcome,details");
    const actions = new Set(lines.slice(1).map((l) => l.split(",")[4]));
    for (const action of ["auth.sign_in", "auth.sign_in_failed", "auth.sign_out", "user.create"]) expect(actions).toContain(action);

    const filtered = await send("/admin/audit.csv?action=auth.sign_in_failed&user=locky", { as: "admin" });
    const rows = filtered.body.trimEnd().split("\r\n").slice(1);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) expect(row).toMatch(/,locky,auth\.sign_in_failed,.*,failed,/);

    const page = await send("/admin/audit?outcome=failed", { as: "admin", accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.body).toContain("auth.sign_in_failed");
  });
});
