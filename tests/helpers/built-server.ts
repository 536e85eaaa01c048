// The real kvdeck server over the production build (run `npm run build` first), on 127.0.0.1 with
// a fresh data dir and the local KV API, signed-in admin/editor/viewer sessions, everything it logs
// captured, and the route manifest for tests that cover every route. Close it in afterAll.
// It is started the way `npm start` starts it: the services from the build's createServices
// (app/services.server.ts), served by the Node shell's own HTTP server (server/http.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { expect } from "vitest";
import { loadBuild, type Services } from "../../server/build";
import { startWebServer } from "../../server/http";

export type Role = "admin" | "editor" | "viewer";

/** The running server: its services (as loaders get them), its address and the build's routes. */
export interface Kvdeck {
  kvdeck: { services: Services; localKv: Services["localKv"] };
  base: string;
  routes: ServerBuild["routes"];
  /** Closes the services (jobs, then the HTTP server, then the database) and removes the data dir. */
  close(): Promise<void>;
}

/**
 * Serves the production build on 127.0.0.1 (a free port) with a fresh data dir and `env` on top of
 * test defaults (no demo seed, no consistency delay); `print` gets what the server logs.
 */
export async function launchBuiltServer(env: Record<string, string>, print: (line: string) => void): Promise<Kvdeck> {
  if (!fs.existsSync("build/server/index.js")) throw new Error("run `npm run build` first: this test serves build/");
  const loaded = await loadBuild();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-built-"));
  const services = await loaded.app.createServices(
    loaded.app.parseEnv({
      NODE_ENV: "production",
      KVDECK_DATA_DIR: dataDir,
      KVDECK_SEED: "none",
      KVDECK_CONSISTENCY_DELAY_MS: "0",
      ...env,
    }),
    { print },
  );
  const { url } = await startWebServer(loaded, services, { port: 0, host: "127.0.0.1" });
  return {
    kvdeck: { services, localKv: services.localKv },
    base: url,
    routes: (loaded.build as ServerBuild).routes,
    async close() {
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BuiltServer extends Kvdeck {
  cookies: Record<Role, string>;
  /** What the server printed through its log function. */
  logged: string[];
  /** A request as a browser on kvdeck's own page would send it (same Origin), never following redirects. */
  send(
    pathAndQuery: string,
    init?: RequestInit & { as?: Role | null; accept?: string },
  ): Promise<{ status: number; headers: Headers; body: string }>;
}

export async function startBuiltServer(options: { env?: Record<string, string>; adminPassword?: string } = {}): Promise<BuiltServer> {
  const adminPassword = options.adminPassword ?? "built-server-admin-password";
  const logged: string[] = [];
  const server = await launchBuiltServer({ KVDECK_ADMIN_PASSWORD: adminPassword, ...options.env }, (line) => logged.push(line));
  const { base } = server;
  const cookies: Record<Role, string> = { admin: "", editor: "", viewer: "" };

  const send: BuiltServer["send"] = async (pathAndQuery, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.as) headers.set("cookie", cookies[init.as]);
    if (init.accept) headers.set("accept", init.accept);
    if (init.method && init.method !== "GET" && !headers.has("origin")) headers.set("origin", base);
    const res = await fetch(`${base}${pathAndQuery}`, { ...init, headers, redirect: "manual" });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const signIn = async (username: string, password: string) => {
    const res = await send("/sign-in", {
      method: "POST",
      body: new URLSearchParams({ username, password, redirectTo: "/" }),
      accept: "text/html",
    });
    expect(res.status, res.body.slice(0, 300)).toBe(302);
    return (res.headers.get("set-cookie") ?? "").split(";")[0];
  };

  cookies.admin = await signIn("admin", adminPassword);
  for (const role of ["editor", "viewer"] as const) {
    const created = await send("/admin/users", {
      method: "POST",
      as: "admin",
      body: new URLSearchParams({ intent: "create", username: `${role}-user`, role, password: `${role}-password-123` }),
    });
    expect(created.status, created.body.slice(0, 300)).toBe(200);
    cookies[role] = await signIn(`${role}-user`, `${role}-password-123`);
  }

  return { ...server, cookies, logged, send };
}

/** The URL path of a route id from the manifest, with `params` filled in (index routes get `?index`). */
export function actionPath(routes: ServerBuild["routes"], id: string, params: Record<string, string>, dataRequest = false): string {
  const segments: string[] = [];
  for (let route = routes[id]; route; route = route.parentId ? routes[route.parentId] : undefined!) {
    if (route.path) segments.unshift(route.path);
  }
  let p = `/${segments.join("/")}`.replace(/\/+/g, "/").replace(/\/$/, "") || "/";
  for (const [name, value] of Object.entries(params)) p = p.replace(`:${name}`, value);
  if (dataRequest) p = p === "/" ? "/_root.data" : `${p}.data`;
  return routes[id].index ? `${p}?index` : p;
}
