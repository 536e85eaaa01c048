// `npm start` (build/node/index.js, compiled by `npm run build`) / `npm run dev` (this file through
// tsx, with Vite): kvdeck's web process. It loads the Remix server build, builds the services
// there (app/services.server.ts), serves them over HTTP and closes them on SIGINT/SIGTERM.
import path from "node:path";
import { loadBuild } from "./build";
import { startWebServer } from "./http";
import { closeOnSignals } from "./shutdown";

const dev = process.argv.includes("--dev");
const loaded = await loadBuild({ dev });
const { createServices, parseEnv, DataDirLockedError } = loaded.app;
// `npm start` is production unless NODE_ENV says otherwise; `npm run dev` is development.
const env = parseEnv({ ...process.env, NODE_ENV: dev ? "development" : (process.env.NODE_ENV ?? "production") });
// The first start creates the database and seeds the demo (it says so as it goes): not silent.
console.log(`kvdeck: starting (${env.DATABASE_URL ? "PostgreSQL from DATABASE_URL" : `PGlite in ${path.join(env.dataDir, "pglite")}`})…`);
const services = await createServices(env).catch((error: unknown) => {
  // A refusal to start (e.g. the data dir is another process's) is a message, not a stack trace.
  console.error(error instanceof DataDirLockedError ? error.message : error);
  process.exit(1);
});
const { url } = await startWebServer(loaded, services);
console.log(`kvdeck: listening on ${url} (${services.database.kind}${services.localKv ? ", local KV API at /client/v4" : ""})`);

closeOnSignals({
  name: "kvdeck",
  stopping: "shutting down",
  close: async () => {
    await services.close();
    await loaded.vite?.close();
  },
});
