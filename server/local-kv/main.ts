// `npm run kv-api`: the local KV API on its own, for wrangler, the SDK or curl. The main app serves
// the same router inside itself; this entry point exists so the API can run without the dashboard.
import path from "node:path";
import express from "express";
import { openDatabase } from "~/db/client.server";
import { REST_BUDGET_REQUESTS, REST_BUDGET_WINDOW_SECONDS } from "~/kv/limits";
import { parseEnv } from "~/utils/env.server";
import { createLocalKvApi } from "./api";
import { ErrorCode, KvApiError } from "./errors";
import { Faults, parseFaults } from "./faults";
import { keepConnectionsAlive, sendError } from "./http";
import { RateLimit, describeRateLimit, parseRateLimit } from "./rate-limit";
import { LocalKvStore } from "./store";
import { loadOrCreateLocalToken } from "./token";

const DEFAULT_PORT = 8787;
const SWEEP_INTERVAL_MS = 60_000;
/** Cloudflare's own budget unless KVDECK_RATE_LIMIT says otherwise (`off` turns it off). */
const DEFAULT_RATE_LIMIT = `${REST_BUDGET_REQUESTS}/${REST_BUDGET_WINDOW_SECONDS}s`;

function kvApiPort(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`kvdeck: invalid environment\n  KVDECK_KV_API_PORT: a port number from 0 to 65535`);
  }
  return port;
}

async function main() {
  const env = parseEnv();
  const port = kvApiPort(process.env.KVDECK_KV_API_PORT);
  const rateLimitSpec = parseRateLimit(env.KVDECK_RATE_LIMIT ?? DEFAULT_RATE_LIMIT);
  const faults = new Faults(parseFaults(env.KVDECK_FAULTS));
  // Its own PGlite directory: the app holds <dataDir>/pglite, and a PGlite directory is one process's
  // (openDatabase refuses a directory another live process holds: app/db/data-dir-lock.server.ts).
  const database = await openDatabase(
    env.DATABASE_URL ? { url: env.DATABASE_URL } : { pgliteDir: path.join(env.dataDir, "kv-api-pglite") },
  );
  const store = new LocalKvStore(database.db, env.KVDECK_CONSISTENCY_DELAY_MS ?? 0);
  const token = env.KVDECK_LOCAL_API_TOKEN ?? loadOrCreateLocalToken(env.dataDir);

  const app = express();
  app.disable("x-powered-by");
  app.use(
    "/client/v4",
    createLocalKvApi({
      store,
      token,
      accountId: env.KVDECK_LOCAL_ACCOUNT_ID,
      rateLimit: rateLimitSpec && new RateLimit(rateLimitSpec),
      faults,
    }),
  );
  app.use((_req, res) => sendError(res, new KvApiError(404, ErrorCode.noRoute, "No route for the URI")));

  const server = app.listen(port, env.HOST);
  keepConnectionsAlive(server);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  const baseUrl = `http://${env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST}:${boundPort}/client/v4`;
  console.log(
    [
      `kvdeck local KV API (${database.kind}) listening`,
      `  CLOUDFLARE_API_BASE_URL=${baseUrl}`,
      `  CLOUDFLARE_ACCOUNT_ID=${env.KVDECK_LOCAL_ACCOUNT_ID}`,
      `  CLOUDFLARE_API_TOKEN=${token}`,
      `  consistency delay ${store.consistencyDelayMs} ms, rate limit ${rateLimitSpec ? describeRateLimit(rateLimitSpec) : "off"}` +
        (faults.inactive ? "" : `, faults ${JSON.stringify(faults.settings)}`),
    ].join("\n"),
  );

  // Lists and reads already hide expired keys; the sweep only reclaims their space.
  const sweep = setInterval(() => {
    store.sweepExpired().catch((error) => console.error("local KV API: expiry sweep failed", error));
  }, SWEEP_INTERVAL_MS);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: shutting down`);
    clearInterval(sweep);
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
