// kvdeck's HTTP server: one Express app serving, in order, the local KV API under /client/v4 (when
// this process serves it), the security headers, the static files (Vite's middlewares in
// development), the auth gate and the Remix app. What each of those does lives in the app
// (app/server/http-handlers.server.ts); this file only puts them in order and listens.
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";
import type { LoadedBuild, Services } from "./build";

const CLIENT_BUILD = "build/client";

export interface WebServer {
  /** Where the dashboard is reachable, e.g. http://127.0.0.1:3000. */
  url: string;
  server: Server;
}

/**
 * Builds the Express app, listens on `port` and `host` (the env's PORT and HOST unless given),
 * then starts the services (jobs, maintenance), which close the server in their close().
 */
export async function startWebServer(
  loaded: LoadedBuild,
  services: Services,
  options: { port?: number; host?: string } = {},
): Promise<WebServer> {
  const { port = services.env.PORT, host = services.env.HOST } = options;
  const handlers = loaded.app.createHttpHandlers(services);
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", handlers.trustProxy);
  app.use(
    compression({
      // Server-sent events must reach the browser as they are written. Raw KV values (the local
      // KV API, downloads) go as they are, with their Content-Length: it is how a value's size is known.
      filter: (req, res) =>
        !/text\/event-stream|application\/octet-stream/.test(String(res.getHeader("Content-Type") ?? "")) && compression.filter(req, res),
    }),
  );
  if (handlers.localKvApi) app.use(handlers.localKvApiPath, handlers.localKvApi);
  app.use(handlers.securityHeaders);
  if (loaded.vite) {
    app.use(loaded.vite.middlewares);
  } else {
    const clientDir = path.resolve(CLIENT_BUILD);
    if (!fs.existsSync(clientDir)) throw new Error("kvdeck: no build found; run `npm run build` first");
    app.use("/assets", express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(clientDir, { maxAge: "1h" }));
  }
  // Browsers ask for /favicon.ico on pages that name no icon (a download, a JSON answer): the one
  // icon is public/favicon.svg, in development too (not a 404 logged as a routing error).
  app.get("/favicon.ico", (_req, res) => res.redirect(301, "/favicon.svg"));
  app.use(handlers.auth);
  app.all("*", createRequestHandler({ build: loaded.build, getLoadContext: (_req, res) => handlers.loadContext(res) }));

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, () => resolve(listening));
    listening.once("error", reject);
  });
  handlers.configureServer(server);
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  const reachable = loaded.app.reachableHost(host);
  const hostPart = reachable.includes(":") ? `[${reachable}]` : reachable;
  services.start({ server, localKvUrl: `http://${hostPart}:${bound}${handlers.localKvApiPath}` });
  return { url: `http://${reachable}:${bound}`, server };
}
