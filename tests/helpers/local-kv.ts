// Starts kvdeck's local KV API on 127.0.0.1 (random port) for a test file: a real HTTP server, so
// tests talk to it exactly as the cloudflare SDK or wrangler would.
//
// Storage: an in-memory PGlite by default. With KVDECK_TEST_DATABASE_URL set, a real Postgres: a
// fresh database per server (dropped on close), so test files running in parallel never share rows.
//
// close() stops what registered with use() first (jobs runners talking to this API), then the HTTP
// server, and waits for every request it was still handling (a client that gave up, e.g. a job that
// was stopped, leaves its handler running), and only then closes the database.
import crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Db } from "~/db/client.server";
import { type TestDatabase, openTestDatabase } from "./db";
import { Teardown } from "./teardown";
import { createLocalKvApi } from "../../server/local-kv/api";
import { keepConnectionsAlive } from "../../server/local-kv/http";
import { type FaultSettings, Faults, parseFaults } from "../../server/local-kv/faults";
import { RateLimit, type RateLimitSpec, parseRateLimit } from "../../server/local-kv/rate-limit";
import { LocalKvStore } from "../../server/local-kv/store";

export const TEST_ACCOUNT_ID = "c0ffee00c0ffee00c0ffee00c0ffee00";

export interface StartLocalKvOptions {
  consistencyDelayMs?: number;
  /** E.g. "5/2s" or { requests: 5, windowMs: 2000 }; omitted or null: no limit. */
  rateLimit?: string | RateLimitSpec | null;
  /** The rate limit's clock (epoch ms; default Date.now): a test that moves it never races the window. */
  rateLimitClock?: () => number;
  /** E.g. { error: 0.1, seed: 3 } or "error=0.1,seed=3" (the KVDECK_FAULTS syntax). */
  faults?: Partial<FaultSettings> | string;
  /** Use this database instead of a fresh one (the caller closes it). */
  db?: Db;
  /** The one account the API serves (default TEST_ACCOUNT_ID); others answer 403 / 10000. */
  accountId?: string;
}

export interface LocalKv {
  /** http://127.0.0.1:PORT/client/v4 */
  baseUrl: string;
  token: string;
  accountId: string;
  store: LocalKvStore;
  db: Db;
  faults: Faults;
  setFaults(update: Partial<FaultSettings>): FaultSettings;
  /** Registers something that uses this API (a jobs runner); close() stops it first. Returns a function that forgets it. */
  use(what: string, stop: () => Promise<void>): () => void;
  close(): Promise<void>;
}

export async function startLocalKv(opts: StartLocalKvOptions = {}): Promise<LocalKv> {
  const database: Pick<TestDatabase, "db" | "close"> = opts.db ? { db: opts.db, close: async () => {} } : await openTestDatabase();
  const users = new Teardown();
  const store = new LocalKvStore(database.db, opts.consistencyDelayMs ?? 0);
  const faults = new Faults(typeof opts.faults === "string" ? parseFaults(opts.faults) : (opts.faults ?? {}));
  const spec = typeof opts.rateLimit === "object" ? opts.rateLimit : parseRateLimit(opts.rateLimit);
  const token = `test-${crypto.randomBytes(16).toString("hex")}`;

  const app = express();
  const accountId = opts.accountId ?? TEST_ACCOUNT_ID;
  const api = createLocalKvApi({ store, token, accountId, rateLimit: spec && new RateLimit(spec, opts.rateLimitClock), faults });
  app.use("/client/v4", api);
  const server = app.listen(0, "127.0.0.1");
  keepConnectionsAlive(server);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    token,
    accountId,
    store,
    db: database.db,
    faults,
    setFaults: (update) => faults.update(update),
    use: (what, stop) => users.add(what, stop),
    async close() {
      try {
        await users.run();
      } finally {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await api.idle();
        await database.close();
      }
    },
  };
}
