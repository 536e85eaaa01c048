// `npm run worker` (build/node/worker.js): runs kvdeck's jobs outside the web process, to scale
// out. Any number of workers and web instances share one PostgreSQL (DATABASE_URL); each takes
// jobs from the `jobs` table by lease. Web instances run jobs themselves too unless started with
// KVDECK_JOB_RUNNER=off. The worker needs the web app's secret key (same KVDECK_DATA_DIR or
// KVDECK_SECRET_KEY) to open connection tokens, and, for the local KV API, where it is served
// (KVDECK_LOCAL_KV_URL). Its services are the web's (app/services.server.ts), with no HTTP server.
import { loadBuild } from "./build";
import { closeOnSignals } from "./shutdown";

const { app } = await loadBuild();
const env = app.parseEnv();
if (!env.DATABASE_URL) {
  console.error(
    "kvdeck worker: set DATABASE_URL. A worker shares PostgreSQL with the web app; a PGlite data dir is one process's (docs/operations.md).",
  );
  process.exit(1);
}
const services = await app.createServices(env, { role: "worker" });
services.start();
console.log(`kvdeck worker: ${services.jobs.runner!.id} running up to ${env.KVDECK_JOB_CONCURRENCY} jobs at a time`);

closeOnSignals({ name: "kvdeck worker", stopping: "handing running jobs back to the queue", close: () => services.close() });
