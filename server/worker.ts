// `npm run worker`: runs kvdeck's jobs outside the web process, to scale out. Any number of
// workers and web instances share one PostgreSQL (DATABASE_URL); each takes jobs from the `jobs`
// table by lease. Web instances run jobs themselves too unless started with KVDECK_JOB_RUNNER=off.
// The worker needs the web app's secret key (same KVDECK_DATA_DIR or KVDECK_SECRET_KEY) to open
// connection tokens, and, for the local KV API, where it is served (KVDECK_LOCAL_KV_URL).
import { createSecretBox, loadSecretKey } from "~/auth/secrets.server";
import { ResourceCache } from "~/cache/resource-cache.server";
import { openDatabase } from "~/db/client.server";
import { createJobsService, jobsConfigFromEnv } from "~/jobs/service.server";
import { budgetsFromEnv } from "~/kv/budget.server";
import { ConnectionRegistry } from "~/kv/connections.server";
import { parseEnv } from "~/utils/env.server";
import { loadOrCreateLocalToken } from "./local-kv/token";

const env = parseEnv();
if (!env.DATABASE_URL) {
  console.error(
    "kvdeck worker: set DATABASE_URL. A worker shares PostgreSQL with the web app; a PGlite data dir is one process's (docs/operations.md).",
  );
  process.exit(1);
}
const database = await openDatabase({ url: env.DATABASE_URL });
const secrets = createSecretBox(loadSecretKey(env.dataDir, env.KVDECK_SECRET_KEY));
const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
const localKvUrl = env.KVDECK_LOCAL_KV_URL ?? `http://${host}:${env.PORT}/client/v4`;
const connections = new ConnectionRegistry(
  database.db,
  secrets,
  { baseUrl: () => localKvUrl, token: () => env.KVDECK_LOCAL_API_TOKEN ?? loadOrCreateLocalToken(env.dataDir) },
  budgetsFromEnv(env),
);
const jobs = createJobsService({
  db: database.db,
  connections,
  cache: new ResourceCache(database.db, { defaultTtlMs: env.KVDECK_OVERLAY_TTL_MS }),
  budgets: budgetsFromEnv(env),
  dataDir: env.dataDir,
  config: { ...jobsConfigFromEnv(env), runInProcess: true },
});
jobs.start();
console.log(`kvdeck worker: ${jobs.runner!.id} running up to ${jobsConfigFromEnv(env).concurrency} jobs at a time`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`kvdeck worker: ${signal}, handing running jobs back to the queue`);
    jobs
      .stop()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
  });
}
