// What the Node shell (server/http.ts) mounts in its Express app, built from the process's
// services: the local KV API (when this process serves it), the security headers, the auth gate,
// and the load context every loader and action gets. The shell reaches this through the Remix
// server build (app/entry.server.tsx), so these run on the same module copies as the routes.
import type { Server } from "node:http";
import { Faults, RateLimit, createLocalKvApi, keepConnectionsAlive, parseFaults, parseRateLimit } from "@kvdeck/local-kv";
import type { AppLoadContext } from "@remix-run/node";
import type { RequestHandler, Response } from "express";
import { LOCAL_KV_API_PATH, type Services } from "~/services.server";
import { authMiddleware, requestContext, trustProxySetting } from "./auth-middleware.server";
import { securityHeaders } from "./security-headers.server";

export interface HttpHandlers {
  /** Express's `trust proxy` (KVDECK_TRUST_PROXY). */
  trustProxy: boolean | number | string;
  /** The local KV API, mounted at `localKvApiPath` before everything else; null with a Cloudflare account. */
  localKvApi: RequestHandler | null;
  localKvApiPath: string;
  /** Before the static files and the pages (app/server/security-headers.server.ts). */
  securityHeaders: RequestHandler;
  /** In front of the Remix handler only (app/server/auth-middleware.server.ts). */
  auth: RequestHandler;
  /** Remix's load context for a request the middlewares have seen. */
  loadContext(res: Response): AppLoadContext;
  /** Settings the listening server needs: the local KV API's clients keep connections a minute. */
  configureServer(server: Server): void;
}

export function createHttpHandlers(services: Services): HttpHandlers {
  const { env, localKv } = services;
  const rateLimit = parseRateLimit(env.KVDECK_RATE_LIMIT);
  return {
    trustProxy: trustProxySetting(env.KVDECK_TRUST_PROXY),
    localKvApi: localKv
      ? createLocalKvApi({
          store: localKv.store,
          token: localKv.token,
          accountId: env.KVDECK_LOCAL_ACCOUNT_ID,
          rateLimit: rateLimit ? new RateLimit(rateLimit) : null,
          faults: new Faults(parseFaults(env.KVDECK_FAULTS)),
        })
      : null,
    localKvApiPath: LOCAL_KV_API_PATH,
    securityHeaders: securityHeaders({ development: env.NODE_ENV === "development" }),
    auth: authMiddleware(services),
    loadContext: (res) => ({ services, ...requestContext(res) }),
    configureServer: keepConnectionsAlive,
  };
}
