// `npm start` / `npm run dev`: kvdeck's Node entry.
import path from "node:path";
import { DataDirLockedError } from "~/db/data-dir-lock.server";
import { parseEnv } from "~/utils/env.server";
import { createKvdeckServer } from "./app";

const dev = process.argv.includes("--dev");
const env = parseEnv({ ...process.env, NODE_ENV: dev ? "development" : (process.env.NODE_ENV ?? "production") });
// The first start creates the database and seeds the demo (it says so as it goes): not silent.
console.log(`kvdeck: starting (${env.DATABASE_URL ? "PostgreSQL from DATABASE_URL" : `PGlite in ${path.join(env.dataDir, "pglite")}`})…`);
const kvdeck = await createKvdeckServer(env).catch((error: unknown) => {
  // A refusal to start (e.g. the data dir is another process's) is a message, not a stack trace.
  console.error(error instanceof DataDirLockedError ? error.message : error);
  process.exit(1);
});
const { url } = await kvdeck.listen();
console.log(`kvdeck: listening on ${url} (${kvdeck.services.database.kind}${kvdeck.localKv ? ", local KV API at /client/v4" : ""})`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`kvdeck: ${signal}, shutting down`);
    kvdeck.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
