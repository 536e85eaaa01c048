// The Node shell's one way into the app: the Remix server build. The app's side of the shell
// (createServices, createHttpHandlers, parseEnv…: app/server/shell.server.ts) is exported by
// app/entry.server.tsx and reached here as `build.entry.module`, so the server runs the same module
// copies as the routes. Production imports build/server/index.js (`npm run build`); development
// asks Vite for the same build (`virtual:remix/server-build`), rebuilt as files change.
// The one type-only import of an app module, erased at compile: it checks the shell against what
// the build exports.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import type { ViteDevServer } from "vite";
import type * as AppShell from "../app/server/shell.server";

export type App = typeof AppShell;
export type Services = AppShell.Services;
export type Env = AppShell.Env;

export const SERVER_BUILD = "build/server/index.js";

export interface LoadedBuild {
  /** The app's side of the shell, from the build's entry module. */
  app: App;
  /** What Remix's request handler serves: the build, or in development a fresh one per request. */
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Development only: Vite, whose middlewares serve the client modules. */
  vite?: ViteDevServer;
}

export async function loadBuild(options: { dev?: boolean } = {}): Promise<LoadedBuild> {
  if (options.dev) {
    const { createServer } = await import("vite");
    const sigterm = process.listeners("SIGTERM");
    const stdinEnd = process.stdin.listeners("end");
    const vite = await createServer({ server: { middlewareMode: true } });
    const load = () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
    const app = appOf(await load());
    // Vite exits the process on SIGTERM (or when stdin ends) once it has closed itself, racing the
    // services' close(); kvdeck's own shutdown (server/shutdown.ts) closes Vite last instead.
    for (const listener of process.listeners("SIGTERM")) if (!sigterm.includes(listener)) process.off("SIGTERM", listener);
    for (const listener of process.stdin.listeners("end"))
      if (!stdinEnd.includes(listener)) process.stdin.off("end", listener as () => void);
    return { app, build: load, vite };
  }
  const file = path.resolve(SERVER_BUILD);
  if (!fs.existsSync(file)) throw new Error("kvdeck: no build found; run `npm run build` first");
  const build = (await import(pathToFileURL(file).href)) as ServerBuild;
  return { app: appOf(build), build };
}

function appOf(build: ServerBuild): App {
  const app = build.entry.module as unknown as Partial<App>;
  if (typeof app.createServices !== "function") {
    throw new Error(`kvdeck: ${SERVER_BUILD} does not export the server's entry points; run \`npm run build\` again`);
  }
  return app as App;
}
