// `npm run kv-api`: the local KV API (packages/local-kv) on its own, for wrangler, the SDK or curl.
// The main app serves the same router inside itself; this entry point exists so the API can run
// without the dashboard. It lives here, not in the package, because it opens the database the way
// the app does: kvdeck's settings (app/utils/env.server.ts) and openDatabase, whose data-dir lock
// keeps a second process off a PGlite directory (docs/decisions/011-local-kv-package.md); it takes
// both from the server build (server/build.ts), like every file here.
import path from "node:path";
import { Faults, describeRateLimit, loadOrCreateLocalToken, parseFaults, parseRateLimit, startLocalKvServer } from "@kvdeck/local-kv";
import { REST_BUDGET_REQUESTS, REST_BUDGET_WINDOW_SECONDS } from "@kvdeck/local-kv/limits";
import { loadBuild } from "./build";
import { closeOnSignals } from "./shutdown";

const SWEEP_INTERVAL_MS = 60_000;
/** Cloudflare's own budget unless KVDECK_RATE_LIMIT says otherwise (`off` turns it off). */
const DEFAULT_RATE_LIMIT = `${REST_BUDGET_REQUESTS}/${REST_BUDGET_WINDOW_SECONDS}s`;

async function main() {
  // kvdeck's settings and database (with its data-dir lock) come from the app, through its build.
  const { parseEnv, openDatabase } = (await loadBuild()).app;
  const env = parseEnv();
  const rateLimit = parseRateLimit(env.KVDECK_RATE_LIMIT ?? DEFAULT_RATE_LIMIT);
  const faults = new Faults(parseFaults(env.KVDECK_FAULTS));
  // Its own PGlite directory: the app holds <dataDir>/pglite, and a PGlite directory is one process's
  // (openDatabase refuses a directory another live process holds: app/db/data-dir-lock.server.ts).
  const database = await openDatabase(
    env.DATABASE_URL
      ? { url: env.DATABASE_URL, migrationsFolder: env.KVDECK_MIGRATIONS_DIR }
      : { pgliteDir: path.join(env.dataDir, "kv-api-pglite"), migrationsFolder: env.KVDECK_MIGRATIONS_DIR },
  );
  const token = env.KVDECK_LOCAL_API_TOKEN ?? loadOrCreateLocalToken(env.dataDir);
  const server = await startLocalKvServer({
    db: database.db,
    token,
    accountId: env.KVDECK_LOCAL_ACCOUNT_ID,
    host: env.HOST,
    port: env.KVDECK_KV_API_PORT,
    consistencyDelayMs: env.KVDECK_CONSISTENCY_DELAY_MS ?? 0,
    rateLimit,
    faults,
    sweepIntervalMs: SWEEP_INTERVAL_MS,
  });
  console.log(
    [
      `kvdeck local KV API (${database.kind}) listening`,
      `  CLOUDFLARE_API_BASE_URL=${server.baseUrl}`,
      `  CLOUDFLARE_ACCOUNT_ID=${env.KVDECK_LOCAL_ACCOUNT_ID}`,
      `  CLOUDFLARE_API_TOKEN=${token}`,
      `  consistency delay ${server.store.consistencyDelayMs} ms, rate limit ${rateLimit ? describeRateLimit(rateLimit) : "off"}` +
        (faults.inactive ? "" : `, faults ${JSON.stringify(faults.settings)}`),
    ].join("\n"),
  );

  closeOnSignals({
    name: "kvdeck local KV API",
    stopping: "shutting down",
    close: async () => {
      await server.close();
      await database.close();
    },
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
