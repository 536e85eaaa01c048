// The local KV API as an HTTP server of its own: /client/v4 and Cloudflare's 404 for every other
// path, long keep-alive, and (optionally) the periodic sweep of expired keys. `npm run kv-api`
// (server/kv-api.ts) and the tests start it; the app mounts createLocalKvApi in its own server.
import type { AddressInfo } from "node:net";
import express from "express";
import { type LocalKvApi, createLocalKvApi } from "./api";
import type { LocalKvDb } from "./database";
import { ErrorCode, KvApiError } from "./errors";
import { Faults } from "./faults";
import { keepConnectionsAlive, sendError } from "./http";
import { RateLimit, type RateLimitSpec } from "./rate-limit";
import { LocalKvStore } from "./store";

export interface LocalKvServerOptions {
  db: LocalKvDb;
  /** A function lets the host rotate the token without restarting. */
  token: string | (() => string);
  /** The one account the API serves (default DEFAULT_LOCAL_ACCOUNT_ID). */
  accountId?: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  consistencyDelayMs?: number;
  /** Null or omitted: no limit. */
  rateLimit?: RateLimitSpec | null;
  /** The rate limit's clock (epoch ms; default Date.now). */
  rateLimitClock?: () => number;
  faults?: Faults;
  /** How often (ms) to reclaim the space of expired keys; omitted: never (reads hide them anyway). */
  sweepIntervalMs?: number;
}

export interface LocalKvServer {
  /** E.g. http://127.0.0.1:8787/client/v4 */
  baseUrl: string;
  store: LocalKvStore;
  faults: Faults;
  api: LocalKvApi;
  /**
   * Stops the sweep and the server, and waits for every request it was still handling. By default
   * requests in flight finish first; `dropConnections` cuts them (a client that gave up, e.g. a
   * stopped job, leaves its handler running, and its handler is still awaited).
   */
  close(options?: { dropConnections?: boolean }): Promise<void>;
}

export async function startLocalKvServer(options: LocalKvServerOptions): Promise<LocalKvServer> {
  const store = new LocalKvStore(options.db, options.consistencyDelayMs ?? 0);
  const faults = options.faults ?? new Faults();
  const spec = options.rateLimit ?? null;
  const api = createLocalKvApi({
    store,
    token: options.token,
    accountId: options.accountId,
    rateLimit: spec && new RateLimit(spec, options.rateLimitClock),
    faults,
  });

  const app = express();
  app.disable("x-powered-by");
  app.use("/client/v4", api);
  app.use((_req, res) => sendError(res, new KvApiError(404, ErrorCode.noRoute, "No route for the URI")));
  const server = app.listen(options.port, options.host);
  keepConnectionsAlive(server);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  // Lists and reads already hide expired keys; the sweep only reclaims their space.
  const sweep =
    options.sweepIntervalMs === undefined
      ? null
      : setInterval(() => {
          store.sweepExpired().catch((error) => console.error("local KV API: expiry sweep failed", error));
        }, options.sweepIntervalMs);

  return {
    baseUrl: `http://${host}:${port}/client/v4`,
    store,
    faults,
    api,
    async close({ dropConnections = false } = {}) {
      if (sweep) clearInterval(sweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (dropConnections) server.closeAllConnections();
      else server.closeIdleConnections();
      await closed;
      await api.idle();
    },
  };
}
