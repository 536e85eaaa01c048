// The server the auth-routes tests share (tests/integration/auth-routes-*.test.ts): the real
// server over the production build (tests/helpers/built-server.ts) with a namespace holding one
// key, signed-in admin, editor and viewer sessions, everything it prints captured, every response
// body kept, and helpers that turn the Remix manifest's route ids into URLs.
//
// Needs `npm run build` first (it serves build/).
import http from "node:http";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, expect } from "vitest";
import type { SessionUser } from "~/auth/roles";
import { findUserByUsername, listUsers } from "~/auth/users.server";
import { launchBuiltServer, type Kvdeck } from "./built-server";

export const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
export const ADMIN_PASSWORD = "integration-admin-password";
const PUBLIC_ROUTES = new Set(["routes/sign-in", "routes/healthz"]);
/** Actions that need an admin: users, connections, and namespace management. */
export const ADMIN_ACTION = (id: string) => id.startsWith("routes/admin") || id === "routes/accounts.$connectionId._index";

let server: Kvdeck | undefined;
/** The running server's services and local KV API, as loaders get them. */
export let kvdeck: Kvdeck["kvdeck"];
export let base: string;
export let routes: ServerBuild["routes"];
export let namespaceId: string;
export const cookies: Record<"admin" | "editor" | "viewer", string> = { admin: "", editor: "", viewer: "" };
export const users: Partial<Record<"admin" | "editor" | "viewer", SessionUser>> = {};

// Everything the server prints, for the token grep. Wrapped by hand (not vi.spyOn): the shared
// setup restores mocks after each test.
export const captured: string[] = [];
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

export interface Sent {
  status: number;
  headers: Headers;
  body: string;
}
/** Every response body this file's requests got, for the token grep. */
export const bodies: { label: string; body: string }[] = [];

export async function send(
  pathAndQuery: string,
  init: RequestInit & { as?: keyof typeof cookies | null; accept?: string } = {},
): Promise<Sent> {
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

export const form = (fields: Record<string, string>) => new URLSearchParams(fields);

export async function signIn(username: string, password: string): Promise<{ status: number; cookie: string; body: string }> {
  const res = await send("/sign-in", { method: "POST", body: form({ username, password, redirectTo: "/" }), accept: "text/html" });
  const setCookie = res.headers.get("set-cookie") ?? "";
  return { status: res.status, cookie: setCookie.split(";")[0], body: res.body };
}

/** A sign-in from another client address: the loopback network is all ours, 127.0.0.2 and on. */
export function signInFrom(localAddress: string, username: string, password: string): Promise<Sent> {
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
export const loaderUrl = (id: string) => withQuery(routePath(id), { name: "k" });
export const dataUrl = (id: string) =>
  withQuery(routePath(id) === "/" ? "/_root.data" : `${routePath(id)}.data`, { name: "k", _routes: id });
export const actionUrl = (id: string, data: boolean) => {
  const p = routePath(id);
  const target = data ? (p === "/" ? "/_root.data" : `${p}.data`) : p;
  return routes[id].index ? `${target}?index` : target;
};

export const closedLoaders = () => Object.keys(routes).filter((id) => id !== "root" && !PUBLIC_ROUTES.has(id) && routes[id].module.loader);
export const actions = () => Object.keys(routes).filter((id) => !PUBLIC_ROUTES.has(id) && routes[id].module.action);

/** A form that would do damage if an unguarded action ran it. */
export const damagingForm = () =>
  form({
    intent: "delete",
    name: "k",
    id: String(users.editor?.id ?? 2),
    confirmTitle: "auth-test",
    redirect: "0",
    role: "admin",
    password: "taken-over-1234",
  });

export async function state() {
  const { store } = kvdeck.localKv!;
  const { db } = kvdeck.services.database;
  return {
    key: Boolean(await store.get(namespaceId, "k")),
    namespace: Boolean(await store.getNamespace(ACCOUNT, namespaceId)),
    users: (await listUsers(db)).map((u) => `${u.username}:${u.role}`).sort(),
    connections: (await kvdeck.services.connections.list()).length,
  };
}

/** Starts the server (and signs in an admin, an editor and a viewer) before this file's tests; closes it after. */
export function useAuthRoutesServer() {
  beforeAll(startServer);
  afterAll(async () => {
    await server?.close();
    for (const restore of restoreOutput.splice(0)) restore();
  });
}

async function startServer() {
  capture();
  server = await launchBuiltServer(
    { KVDECK_ADMIN_PASSWORD: ADMIN_PASSWORD, KVDECK_LOCAL_API_TOKEN: "integration-local-api-token-0123" },
    (line) => captured.push(line),
  );
  ({ kvdeck, base, routes } = server);

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
  for (const role of ["admin", "editor", "viewer"] as const) {
    const row = await findUserByUsername(kvdeck.services.database.db, role === "admin" ? "admin" : `${role}-user`);
    users[role] = { id: row!.id, username: row!.username, role: row!.role };
  }
}
