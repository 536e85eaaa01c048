// Roles and requests, proved against the real server and the production build: viewers cannot
// change anything and editors cannot reach admin actions (through HTTP, and by calling each action
// directly, past the middleware), cross-origin changes are refused, bodies are capped, pages carry
// the safety headers, and a Cloudflare token given to the admin page never shows up in a response
// body or in the server's logs. Sign-in and sessions: auth-routes-sessions.test.ts. The shared
// server: tests/helpers/auth-routes.ts.
//
// Needs `npm run build` first (it serves build/).
import http from "node:http";
import type { AppLoadContext } from "@remix-run/node";
import { asc, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents } from "~/db/schema";
import type { SessionUser } from "~/auth/roles";
import {
  ADMIN_ACTION,
  ADMIN_PASSWORD,
  actionUrl,
  actions,
  base,
  bodies,
  captured,
  closedLoaders,
  cookies,
  damagingForm,
  dataUrl,
  form,
  kvdeck,
  loaderUrl,
  namespaceId,
  routes,
  send,
  state,
  useAuthRoutesServer,
  users,
} from "../helpers/auth-routes";

const CF_TOKEN = "cf-secret-token-XYZ";

useAuthRoutesServer();

describe("roles", () => {
  it("a viewer reads pages but gets 403 on every action, over HTTP, and nothing changes", async () => {
    expect((await send(`/accounts/1/namespaces/${namespaceId}`, { as: "viewer", accept: "text/html" })).status).toBe(200);
    const before = await state();
    for (const id of actions().filter((a) => a !== "routes/sign-out")) {
      for (const url of [actionUrl(id, false), actionUrl(id, true)]) {
        const res = await send(url, { method: "POST", as: "viewer", body: damagingForm() });
        expect(res.status, `${id} POST ${url}`).toBe(403);
      }
    }
    expect(await state()).toEqual(before);
  });

  it("an editor gets 403 on admin pages and admin actions", async () => {
    const before = await state();
    for (const id of closedLoaders().filter((r) => r.startsWith("routes/admin"))) {
      expect((await send(loaderUrl(id), { as: "editor", accept: "text/html" })).status, id).toBe(403);
      expect((await send(dataUrl(id), { as: "editor" })).status, id).toBe(403);
    }
    for (const id of actions().filter(ADMIN_ACTION)) {
      for (const url of [actionUrl(id, false), actionUrl(id, true)]) {
        const res = await send(url, { method: "POST", as: "editor", body: damagingForm() });
        expect(res.status, `${id} POST ${url}`).toBe(403);
      }
    }
    expect(await state()).toEqual(before);
  });

  it("each action checks the role itself too (called directly, past the middleware)", async () => {
    const before = await state();
    const context = (user: SessionUser | null): AppLoadContext => ({ services: kvdeck.services, user });
    /** The status the action answered or threw; anything else means it went past where a guard belongs. */
    const call = async (id: string, user: SessionUser | null): Promise<number | string> => {
      const request = new Request(`${base}${actionUrl(id, false)}`, { method: "POST", body: damagingForm(), headers: { origin: base } });
      const params = { connectionId: "1", namespaceId };
      try {
        await routes[id].module.action!({ request, params, context: context(user) });
        return 200;
      } catch (thrown) {
        if (thrown instanceof Response) return thrown.status;
        const init = (thrown as { init?: ResponseInit | null }).init;
        if (init?.status) return init.status;
        return `ran unguarded and threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
      }
    };
    for (const id of actions().filter((a) => a !== "routes/sign-out")) {
      expect(await call(id, null), `${id} with nobody`).toBe(401);
      expect(await call(id, users.viewer!), `${id} as viewer`).toBe(403);
      if (ADMIN_ACTION(id)) expect(await call(id, users.editor!), `${id} as editor`).toBe(403);
    }
    expect(await state()).toEqual(before);
  });

  it("an admin-only loader refuses an editor even when called directly", async () => {
    for (const id of closedLoaders().filter((r) => r.startsWith("routes/admin"))) {
      const request = new Request(`${base}${loaderUrl(id)}`);
      const status = await Promise.resolve(
        routes[id].module.loader!({ request, params: {}, context: { services: kvdeck.services, user: users.editor! } }),
      ).then(
        () => 200,
        (thrown: unknown) => (thrown instanceof Response ? thrown.status : 500),
      );
      expect(status, id).toBe(403);
    }
  });
});

describe("cross-origin changes", () => {
  it("refuses a POST from another origin, a null origin, or a cross-site fetch, even with an admin session", async () => {
    const before = await state();
    const attempts: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { origin: "null" },
      { origin: base.replace("127.0.0.1", "localhost") },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of attempts) {
      for (const url of ["/admin/users", "/admin/users.data", `/accounts/1/namespaces/${namespaceId}`]) {
        const body = form({ intent: "create", username: "mallory", role: "admin", password: "mallory-password" });
        const res = await send(url, { method: "POST", as: "admin", body, headers });
        expect(res.status, `${url} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    // Sign-in too: nobody can be signed in from another site.
    const login = await send("/sign-in", {
      method: "POST",
      headers: { origin: "http://evil.example" },
      body: form({ username: "admin", password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(403);
    expect(await state()).toEqual(before);
  });

  it("accepts the same change from the app's own origin", async () => {
    const res = await send("/admin/users", {
      method: "POST",
      as: "admin",
      accept: "text/html",
      body: form({ intent: "create", username: "same-origin", role: "viewer", password: "same-origin-pw" }),
    });
    expect(res.status).toBe(200);
    expect((await state()).users).toContain("same-origin:viewer");
  });
});

describe("limits and headers", () => {
  it("refuses a body over 30 MiB with 413 before reading it", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/accounts/1/namespaces/${namespaceId}`, {
        method: "POST",
        headers: {
          cookie: cookies.admin,
          origin: base,
          "content-type": "application/x-www-form-urlencoded",
          "content-length": String(31 * 1024 * 1024),
        },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it("pages carry a CSP whose nonce is on every inline script, and the other safety headers", async () => {
    const res = await send(`/accounts/1/namespaces/${namespaceId}`, { as: "admin", accept: "text/html" });
    const csp = res.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    const scripts = [...res.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    const next = await send("/", { as: "admin", accept: "text/html" });
    expect(next.headers.get("content-security-policy")).not.toContain(nonce);
  });

  it("marks the session cookie HttpOnly and SameSite=Lax (and not Secure over plain HTTP)", async () => {
    const res = await fetch(`${base}/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: base },
      body: form({ username: "admin", password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(302);
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/^kvdeck_session=[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  });

  it("does not believe X-Forwarded-* headers from a proxy it was not told to trust", async () => {
    const res = await fetch(`${base}/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: "https://kvdeck.example", "x-forwarded-proto": "https", "x-forwarded-host": "kvdeck.example" },
      body: form({ username: "admin", password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(403);
  });
});

describe("secrets", () => {
  it("a Cloudflare token added on the admin page never appears in a response or a log", async () => {
    const add = await send("/admin/connections", {
      method: "POST",
      as: "admin",
      accept: "text/html",
      body: form({
        intent: "create",
        kind: "cloudflare",
        name: "Leak test",
        accountId: "ab".repeat(16),
        token: CF_TOKEN,
        baseUrl: `${base}/client/v4`,
      }),
    });
    expect(add.status).toBe(200);
    const bad = await send("/admin/connections.data", {
      method: "POST",
      as: "admin",
      body: form({ intent: "create", kind: "cloudflare", name: "Bad", accountId: "not-hex", token: CF_TOKEN }),
    });
    expect(bad.status).toBe(400);
    const connections = await kvdeck.services.connections.list();
    const leak = connections.find((c) => c.name === "Leak test")!;
    expect(leak.tokenCiphertext).not.toContain(CF_TOKEN);

    // Read everything an admin can read, for both connections: pages, .data, resource routes.
    for (const connectionId of ["1", String(leak.id)]) {
      for (const id of ["root", ...closedLoaders()]) {
        const url = (id === "root" ? "/" : loaderUrl(id)).replace("/accounts/1", `/accounts/${connectionId}`);
        await send(url, { as: "admin", accept: "text/html" });
        await send(id === "root" ? "/_root.data" : dataUrl(id).replace("/accounts/1", `/accounts/${connectionId}`), { as: "admin" });
      }
    }
    await send("/admin/audit.csv", { as: "admin" });
    const connectionsPage = await send("/admin/connections", { as: "admin", accept: "text/html" });
    expect(connectionsPage.body).toContain("Leak test");
    // Deleting it says so in the audit log, still without the token.
    await send("/admin/connections", { method: "POST", as: "admin", body: form({ intent: "delete", id: String(leak.id) }) });
    const csv = await send("/admin/audit.csv", { as: "admin" });
    expect(csv.body).toContain("connection.create");
    expect(csv.body).toContain("connection.delete");

    const leaks = bodies.filter((b) => b.body.includes(CF_TOKEN)).map((b) => b.label);
    expect(leaks).toEqual([]);
    expect(captured.filter((line) => line.includes(CF_TOKEN))).toEqual([]);
  });
});

describe("the recycle bin's roles", () => {
  it("an editor deletes keeping a copy and restores it; emptying the bin is an admin's", async () => {
    const { store } = kvdeck.localKv!;
    const { recycle } = kvdeck.services;
    await store.write(namespaceId, [
      { key: "bin-1", value: Buffer.from("bin value"), metadata: JSON.stringify({ a: 1 }), expiration: null },
    ]);
    await store.applyDue();
    const keysPage = `/accounts/1/namespaces/${namespaceId}.data`;
    const bin = `/accounts/1/namespaces/${namespaceId}/bin.data`;
    expect(
      (await send(keysPage, { method: "POST", as: "editor", body: form({ intent: "delete", name: "bin-1", recycle: "keep" }) })).status,
    ).toBe(200);
    const [deletion] = await recycle.list(1, namespaceId);
    expect(deletion).toMatchObject({ keys: 1, createdBy: "editor-user", operation: "delete", sample: ["bin-1"] });

    // A viewer neither restores nor empties; an editor cannot empty.
    expect((await send(bin, { method: "POST", as: "viewer", body: form({ intent: "restore", deletion: deletion.id }) })).status).toBe(403);
    expect((await send(bin, { method: "POST", as: "editor", body: form({ intent: "empty", deletion: deletion.id }) })).status).toBe(403);
    expect((await send(bin, { method: "POST", as: "editor", body: form({ intent: "empty-all" }) })).status).toBe(403);
    expect(await recycle.deletion(deletion.id)).toMatchObject({ keys: 1, restoredKeys: 0 });

    expect((await send(bin, { method: "POST", as: "editor", body: form({ intent: "restore", deletion: deletion.id }) })).status).toBe(200);
    await store.applyDue();
    expect((await store.get(namespaceId, "bin-1"))?.value.toString()).toBe("bin value");
    expect(await recycle.deletion(deletion.id)).toMatchObject({ restoredKeys: 1 });

    expect((await send(bin, { method: "POST", as: "admin", body: form({ intent: "empty", deletion: deletion.id }) })).status).toBe(200);
    expect(await recycle.deletion(deletion.id)).toBeNull();
    const events = await kvdeck.services.database.db
      .select({ action: auditEvents.action, username: auditEvents.username, count: auditEvents.count })
      .from(auditEvents)
      .where(like(auditEvents.action, "recycle.%"))
      .orderBy(asc(auditEvents.id));
    expect(events).toEqual([
      { action: "recycle.copy", username: "editor-user", count: 1 },
      { action: "recycle.restore", username: "editor-user", count: 1 },
      { action: "recycle.empty", username: "admin", count: 0 },
    ]);
  });
});
