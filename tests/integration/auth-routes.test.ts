// Sign-in and roles, proved against the real server and the production build: every route the
// Remix manifest lists is closed without a session (documents redirect to sign-in; `.data`, JSON,
// event-stream and download requests get 401), viewers cannot change anything and editors cannot
// reach admin actions (through HTTP, and by calling each action directly, past the middleware),
// cross-origin changes are refused, and a Cloudflare token given to the admin page never shows up
// in a response body or in the server's logs.
//
// Needs `npm run build` first (it serves build/).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "~/auth/roles";
import { describeWait } from "~/auth/throttle.server";
import { parseEnv } from "~/utils/env.server";
import { createKvdeckServer, type KvdeckServer } from "../../server/app";

const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
const ADMIN_PASSWORD = "integration-admin-password";
const CF_TOKEN = "cf-secret-token-XYZ";
const PUBLIC_ROUTES = new Set(["routes/sign-in", "routes/healthz"]);
/** Actions that need an admin: users, connections, and namespace management. */
const ADMIN_ACTION = (id: string) => id.startsWith("routes/admin") || id === "routes/accounts.$connectionId._index";

let kvdeck: KvdeckServer;
let base: string;
let dataDir: string;
let routes: ServerBuild["routes"];
let namespaceId: string;
const cookies: Record<"admin" | "editor" | "viewer", string> = { admin: "", editor: "", viewer: "" };
const users: Partial<Record<"admin" | "editor" | "viewer", SessionUser>> = {};

// Everything the server prints, for the token grep. Wrapped by hand (not vi.spyOn): the shared
// setup restores mocks after each test.
const captured: string[] = [];
const restoreOutput: (() => void)[] = [];
function capture() {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(
        args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "),
      );
      original(...args);
    };
    restoreOutput.push(() => (console[method] = original));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreOutput.push(() => (stream.write = original as typeof stream.write));
  }
}

// ---- requests ----

interface Sent {
  status: number;
  headers: Headers;
  body: string;
}
const bodies: { label: string; body: string }[] = [];

async function send(pathAndQuery: string, init: RequestInit & { as?: keyof typeof cookies | null; accept?: string } = {}): Promise<Sent> {
  const headers = new Headers(init.headers);
  if (init.as) headers.set("cookie", cookies[init.as]);
  if (init.accept) headers.set("accept", init.accept);
  // What a browser sends with a same-origin form post (a test naming Sec-Fetch-Site plays a browser without Origin).
  if (init.method && init.method !== "GET" && !headers.has("origin") && !headers.has("sec-fetch-site")) headers.set("origin", base);
  const res = await fetch(`${base}${pathAndQuery}`, { ...init, headers, redirect: "manual" });
  const body = await res.text();
  bodies.push({ label: `${init.method ?? "GET"} ${pathAndQuery} as ${init.as ?? "nobody"}`, body });
  return { status: res.status, headers: res.headers, body };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

async function signIn(username: string, password: string): Promise<{ status: number; cookie: string; body: string }> {
  const res = await send("/sign-in", { method: "POST", body: form({ username, password, redirectTo: "/" }), accept: "text/html" });
  const setCookie = res.headers.get("set-cookie") ?? "";
  return { status: res.status, cookie: setCookie.split(";")[0], body: res.body };
}

/** A sign-in from another client address: the loopback network is all ours, 127.0.0.2 and on. */
function signInFrom(localAddress: string, username: string, password: string): Promise<Sent> {
  const body = form({ username, password, redirectTo: "/" }).toString();
  return new Promise<Sent>((resolve, reject) => {
    const req = http.request(`${base}/sign-in`, {
      method: "POST",
      localAddress,
      headers: {
        origin: base,
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
        "content-length": String(Buffer.byteLength(body)),
      },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, String(value));
        resolve({ status: res.statusCode!, headers, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

// ---- the route manifest ----

function routePath(id: string): string {
  const segments: string[] = [];
  for (let route = routes[id]; route; route = route.parentId ? routes[route.parentId] : undefined!) {
    if (route.path) segments.unshift(route.path);
  }
  const joined = `/${segments.join("/")}`.replace(/\/+/g, "/");
  return joined.replace(":connectionId", "1").replace(":namespaceId", namespaceId).replace(/\/$/, "") || "/";
}

const withQuery = (p: string, q: Record<string, string>) => `${p}?${new URLSearchParams(q)}`;
/** A URL that reaches the route's loader with what it needs (a key name for key/download). */
const loaderUrl = (id: string) => withQuery(routePath(id), { name: "k" });
const dataUrl = (id: string) => withQuery(routePath(id) === "/" ? "/_root.data" : `${routePath(id)}.data`, { name: "k", _routes: id });
const actionUrl = (id: string, data: boolean) => {
  const p = routePath(id);
  const target = data ? (p === "/" ? "/_root.data" : `${p}.data`) : p;
  return routes[id].index ? `${target}?index` : target;
};

const closedLoaders = () => Object.keys(routes).filter((id) => id !== "root" && !PUBLIC_ROUTES.has(id) && routes[id].module.loader);
const actions = () => Object.keys(routes).filter((id) => !PUBLIC_ROUTES.has(id) && routes[id].module.action);

/** A form that would do damage if an unguarded action ran it. */
const damagingForm = () =>
  form({
    intent: "delete",
    name: "k",
    id: String(users.editor?.id ?? 2),
    confirmTitle: "auth-test",
    redirect: "0",
    role: "admin",
    password: "taken-over-1234",
  });

async function state() {
  const { store } = kvdeck.localKv!;
  const { db } = kvdeck.services.database;
  const { listUsers } = await import("~/auth/users.server");
  return {
    key: Boolean(await store.get(namespaceId, "k")),
    namespace: Boolean(await store.getNamespace(ACCOUNT, namespaceId)),
    users: (await listUsers(db)).map((u) => `${u.username}:${u.role}`).sort(),
    connections: (await kvdeck.services.connections.list()).length,
  };
}

beforeAll(async () => {
  if (!fs.existsSync("build/server/index.js")) throw new Error("auth-routes.test: run `npm run build` first");
  capture();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-auth-"));
  kvdeck = await createKvdeckServer(
    parseEnv({
      NODE_ENV: "production",
      KVDECK_DATA_DIR: dataDir,
      KVDECK_SEED: "none",
      KVDECK_CONSISTENCY_DELAY_MS: "0",
      KVDECK_ADMIN_PASSWORD: ADMIN_PASSWORD,
      KVDECK_LOCAL_API_TOKEN: "integration-local-api-token-0123",
    }),
    (line) => captured.push(line),
  );
  base = (await kvdeck.listen(0, "127.0.0.1")).url;
  routes = ((await import(path.resolve("build/server/index.js"))) as ServerBuild).routes;

  const ns = await kvdeck.localKv!.store.createNamespace(ACCOUNT, "auth-test");
  namespaceId = ns!.id;
  await kvdeck.localKv!.store.write(namespaceId, [{ key: "k", value: Buffer.from("v"), metadata: null, expiration: null }]);

  const admin = await signIn("admin", ADMIN_PASSWORD);
  expect(admin.status).toBe(302);
  cookies.admin = admin.cookie;
  for (const role of ["editor", "viewer"] as const) {
    const created = await send("/admin/users", {
      method: "POST",
      as: "admin",
      accept: "text/html",
      body: form({ intent: "create", username: `${role}-user`, role, password: `${role}-password-123` }),
    });
    expect(created.status, created.body.slice(0, 500)).toBe(200);
    const signedIn = await signIn(`${role}-user`, `${role}-password-123`);
    expect(signedIn.status).toBe(302);
    cookies[role] = signedIn.cookie;
  }
  const { findUserByUsername } = await import("~/auth/users.server");
  for (const role of ["admin", "editor", "viewer"] as const) {
    const row = await findUserByUsername(kvdeck.services.database.db, role === "admin" ? "admin" : `${role}-user`);
    users[role] = { id: row!.id, username: row!.username, role: row!.role };
  }
});

afterAll(async () => {
  await kvdeck?.close();
  for (const restore of restoreOutput.splice(0)) restore();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

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

  it("leaves /sign-in, /healthz and static files open, and the local KV API on its own bearer auth", async () => {
    expect((await send("/sign-in", { accept: "text/html" })).status).toBe(200);
    expect((await send("/healthz")).status).toBe(200);
    expect((await send("/favicon.svg")).status).toBe(200);
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
