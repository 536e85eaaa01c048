// Starts the local KV API on 127.0.0.1 (random port) for a test file: a real HTTP server, so tests
// talk to it exactly as the cloudflare SDK or wrangler would. The one way tests start it: the
// package's own tests call this directly, the app's (tests/helpers/local-kv.ts) through a wrapper
// that hands it the app's test database.
//
// Storage: a fresh database of openLocalKvTestDatabase unless `db` is given (then the caller closes
// it). close() stops the HTTP server, waits for every request it was still handling (a client that
// gave up, e.g. a job that was stopped, leaves its handler running), and only then closes the
// database it opened.
import crypto from "node:crypto";
import type { LocalKvDb } from "../../src/database";
import { type FaultSettings, Faults, parseFaults } from "../../src/faults";
import { type RateLimitSpec, parseRateLimit } from "../../src/rate-limit";
import { type LocalKvServer, startLocalKvServer } from "../../src/server";
import type { LocalKvStore } from "../../src/store";
import { openLocalKvTestDatabase } from "./database";

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
  db?: LocalKvDb;
  /** The one account the API serves (default TEST_ACCOUNT_ID); others answer 403 / 10000. */
  accountId?: string;
}

export interface LocalKv {
  /** http://127.0.0.1:PORT/client/v4 */
  baseUrl: string;
  token: string;
  accountId: string;
  store: LocalKvStore;
  db: LocalKvDb;
  faults: Faults;
  setFaults(update: Partial<FaultSettings>): FaultSettings;
  close(): Promise<void>;
}

export async function startLocalKv(opts: StartLocalKvOptions = {}): Promise<LocalKv> {
  const database = opts.db ? { db: opts.db, close: async () => {} } : await openLocalKvTestDatabase();
  const faults = new Faults(typeof opts.faults === "string" ? parseFaults(opts.faults) : (opts.faults ?? {}));
  const token = `test-${crypto.randomBytes(16).toString("hex")}`;
  const accountId = opts.accountId ?? TEST_ACCOUNT_ID;
  let server: LocalKvServer;
  try {
    server = await startLocalKvServer({
      db: database.db,
      token,
      accountId,
      host: "127.0.0.1",
      port: 0,
      consistencyDelayMs: opts.consistencyDelayMs ?? 0,
      rateLimit: typeof opts.rateLimit === "object" ? opts.rateLimit : parseRateLimit(opts.rateLimit),
      rateLimitClock: opts.rateLimitClock,
      faults,
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    baseUrl: server.baseUrl,
    token,
    accountId,
    store: server.store,
    db: database.db,
    faults,
    setFaults: (update) => faults.update(update),
    async close() {
      try {
        await server.close({ dropConnections: true });
      } finally {
        await database.close();
      }
    },
  };
}
