// The auth middleware on its own, in a bare Express app: proxies, origins, body limits, roles.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express, { type RequestHandler } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSecretKey } from "~/auth/secrets.server";
import { SessionStore, sessionSigningKey } from "~/auth/sessions.server";
import { SignInThrottle } from "~/auth/throttle.server";
import { createUser, ensureFirstAdmin } from "~/auth/users.server";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { authMiddleware, routePath, trustProxySetting } from "./auth-middleware.server";

let database: TestDatabase;
let middleware: RequestHandler;
let dataDir: string;
const servers: http.Server[] = [];
const ids: Record<string, number> = {};

async function serve(trustProxy: string | undefined): Promise<string> {
  const app = express();
  app.set("trust proxy", trustProxySetting(trustProxy));
  app.use(middleware);
  // Stand-ins for the Remix routes: sign-in issues a session for the user it names.
  app.post("/sign-in", async (req, res) => {
    const who = String(req.query.as);
    const { setCookie } = await res.locals.auth.sessions.create(ids[who], {}, res.locals.auth.secure);
    res.set("set-cookie", setCookie).json({ secure: res.locals.auth.secure, ip: res.locals.auth.clientIp });
  });
  app.all("*", (_req, res) => res.json({ reached: true, user: res.locals.user }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function signIn(base: string, who: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${base}/sign-in?as=${who}`, { method: "POST", headers: { origin: base, ...headers } });
  expect(res.status).toBe(200);
  return res.headers.get("set-cookie")!.split(";")[0];
}

beforeAll(async () => {
  database = await openTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-authmw-"));
  // What createServices (app/services.server.ts) hands the middleware: sessions, throttle, a first admin.
  const sessions = new SessionStore(database.db, sessionSigningKey(loadSecretKey(dataDir)));
  middleware = authMiddleware({ sessions, throttle: new SignInThrottle(database.db) });
  await ensureFirstAdmin(database.db, "first-admin-pw", () => {});
  for (const role of ["viewer", "editor"] as const)
    ids[role] = (await createUser(database.db, { username: role, role, password: `${role}-password` }))!.id;
  ids.admin = 1;
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("behind a trusted proxy", () => {
  it("takes HTTPS, host and client address from X-Forwarded-*, and issues a Secure __Host- cookie", async () => {
    const base = await serve("loopback");
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "kvdeck.example", "x-forwarded-for": "203.0.113.9" };
    const res = await fetch(`${base}/sign-in?as=admin`, { method: "POST", headers: { ...forwarded, origin: "https://kvdeck.example" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ secure: true, ip: "203.0.113.9" });
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^__Host-kvdeck_session=.*; Secure$/);
    const who = await fetch(`${base}/anything`, { headers: { cookie: cookie.split(";")[0], ...forwarded } });
    expect(await who.json()).toMatchObject({ reached: true, user: { username: "admin", role: "admin" } });
    // The proxy's own origin is the app's; the address the browser would use without it is not.
    const direct = await fetch(`${base}/sign-in?as=admin`, { method: "POST", headers: { ...forwarded, origin: base } });
    expect(direct.status).toBe(403);
  });

  it("ignores X-Forwarded-* when no proxy is trusted", async () => {
    const base = await serve(undefined);
    const res = await fetch(`${base}/sign-in?as=admin`, {
      method: "POST",
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "kvdeck.example", "x-forwarded-for": "203.0.113.9", origin: base },
    });
    expect(await res.json()).toEqual({ secure: false, ip: "127.0.0.1" });
  });
});

describe("the gate", () => {
  let base: string;
  beforeAll(async () => {
    base = await serve(undefined);
  });

  it("applies each role's limits to changes", async () => {
    const post = async (who: string, p: string) =>
      (await fetch(`${base}${p}`, { method: "POST", headers: { origin: base, cookie: await signIn(base, who) } })).status;
    expect(await post("viewer", "/sign-out")).toBe(200);
    expect(await post("viewer", "/accounts/1/namespaces/ns")).toBe(403);
    expect(await post("editor", "/accounts/1/namespaces/ns")).toBe(200);
    expect(await post("editor", "/accounts/1/namespaces/ns/key")).toBe(200);
    expect(await post("editor", "/accounts/1")).toBe(403);
    expect(await post("editor", "/accounts/1/")).toBe(403);
    expect(await post("editor", "/Accounts/1.data?index")).toBe(403);
    expect(await post("editor", "/admin/users")).toBe(403);
    expect(await post("admin", "/accounts/1")).toBe(200);
    expect(await post("admin", "/admin/users")).toBe(200);
  });

  it("keeps viewers and editors out of /admin however the path is spelled", async () => {
    const cookie = await signIn(base, "editor");
    for (const p of [
      "/admin",
      "/admin/users",
      "/ADMIN/Users",
      "/%61dmin/users",
      "//admin/users",
      "/x/../admin/users",
      "/admin/users.data",
      "/admin/audit.csv",
    ]) {
      const res = await fetch(`${base}${p}`, { headers: { cookie } });
      expect(res.status, p).toBe(403);
    }
  });

  it("answers 411 for a change of unknown length and 413 for one that is too long", async () => {
    const cookie = await signIn(base, "editor");
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${base}/accounts/1/namespaces/ns`, { method: "POST", headers: { cookie, origin: base, ...headers } });
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode!);
          req.destroy();
        });
        req.on("error", reject);
        req.flushHeaders();
      });
    expect(await status({ "transfer-encoding": "chunked" })).toBe(411);
    expect(await status({ "content-length": String(30 * 1024 * 1024 + 1) })).toBe(413);
  });

  it("answers 415 with what was sent for a change whose body is not a form, and lets forms and empty bodies through", async () => {
    const cookie = await signIn(base, "editor");
    const send = (body: BodyInit | undefined, headers: Record<string, string>) =>
      fetch(`${base}/accounts/1/namespaces/ns`, { method: "POST", body, headers: { cookie, origin: base, ...headers } });
    for (const [body, type, named] of [
      ['{"intent":"delete"}', "application/json", "application/json"],
      ["intent=delete", "text/plain;charset=UTF-8", "text/plain"],
      ["<x/>", "application/xml", "application/xml"],
    ] as const) {
      const res = await send(body, { "content-type": type });
      expect(res.status, type).toBe(415);
      expect((await res.json()).message, type).toBe(
        `kvdeck takes changes as forms (application/x-www-form-urlencoded or multipart/form-data); this request sent ${named}.`,
      );
    }
    const untyped = await send(new Uint8Array([1, 2, 3]), {});
    expect(untyped.status).toBe(415);
    expect((await untyped.json()).message).toMatch(/this request sent a body without a Content-Type\.$/);
    // A browser's document request gets the same refusal as a page.
    const page = await send("{}", { "content-type": "application/json", accept: "text/html" });
    expect(page.status).toBe(415);
    expect(await page.text()).toContain("<h1>Not a form</h1>");
    // Before the session: nobody signed in is told the same, not sent to sign in with a body kvdeck cannot read.
    const anonymous = await fetch(`${base}/sign-in`, {
      method: "POST",
      body: "{}",
      headers: { origin: base, "content-type": "application/json" },
    });
    expect(anonymous.status).toBe(415);

    expect((await send(new URLSearchParams({ intent: "delete" }), {})).status).toBe(200);
    const multipart = new FormData();
    multipart.set("intent", "delete");
    expect((await send(multipart, {})).status).toBe(200);
    expect((await send(undefined, {})).status).toBe(200);
    expect((await send("", { "content-type": "text/plain" })).status).toBe(200);
  });
});

describe("helpers", () => {
  it("normalizes paths as Remix matches them", () => {
    expect(routePath("/_root.data")).toBe("/");
    expect(routePath("/Admin/Users.data")).toBe("/admin/users");
    expect(routePath("/sign-in%2F..%2Fadmin%2Fusers")).toBe("/admin/users");
    expect(routePath("/%2e%2e/admin")).toBe("/admin");
    expect(routePath("/admin/audit.csv")).toBe("/admin/audit.csv");
    expect(routePath("/%zz")).toBe("/%zz");
  });

  it("reads KVDECK_TRUST_PROXY", () => {
    expect(trustProxySetting(undefined)).toBe(false);
    expect(trustProxySetting("false")).toBe(false);
    expect(trustProxySetting("true")).toBe(true);
    expect(trustProxySetting("1")).toBe(1);
    expect(trustProxySetting("loopback, 10.0.0.0/8")).toBe("loopback, 10.0.0.0/8");
  });
});
