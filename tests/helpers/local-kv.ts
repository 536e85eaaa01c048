// The local KV API for kvdeck's own tests (jobs, the upstream client, the cache): the package's one
// test starter (packages/local-kv/test/helpers/local-kv.ts) on kvdeck's test database
// (tests/helpers/db.ts: PGlite, or a fresh PostgreSQL database with KVDECK_TEST_DATABASE_URL), so
// the API's tables sit beside the app's and a test can read both.
//
// close() stops what registered with use() first (jobs runners talking to this API), then the HTTP
// server, and waits for every request it was still handling, and only then closes the database.
import {
  type LocalKv as PackageLocalKv,
  type StartLocalKvOptions as PackageOptions,
  startLocalKv as startPackageLocalKv,
} from "@kvdeck/local-kv/testing";
import type { Db } from "~/db/client.server";
import { openTestDatabase } from "./db";
import { Teardown } from "./teardown";

export interface StartLocalKvOptions extends Omit<PackageOptions, "db"> {
  /** Use this database instead of a fresh one (the caller closes it). */
  db?: Db;
}

export interface LocalKv extends Omit<PackageLocalKv, "db"> {
  db: Db;
  /** Registers something that uses this API (a jobs runner); close() stops it first. Returns a function that forgets it. */
  use(what: string, stop: () => Promise<void>): () => void;
}

export async function startLocalKv(opts: StartLocalKvOptions = {}): Promise<LocalKv> {
  const database = opts.db ? { db: opts.db, close: async () => {} } : await openTestDatabase();
  const users = new Teardown();
  let kv: PackageLocalKv;
  try {
    kv = await startPackageLocalKv({ ...opts, db: database.db });
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    ...kv,
    db: database.db,
    use: (what, stop) => users.add(what, stop),
    async close() {
      try {
        await users.run();
      } finally {
        try {
          await kv.close();
        } finally {
          await database.close();
        }
      }
    },
  };
}
