// The database the local KV API runs on: any drizzle PostgreSQL database (node-postgres or PGlite),
// and the migrations that create its tables there. Who opens the database is the host's business
// (the app's openDatabase, or the package's test helper); this package only needs its tables.
import { createRequire } from "node:module";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { PgDatabase, PgDialect, PgQueryResultHKT, PgSession } from "drizzle-orm/pg-core";
import type { Pool } from "pg";

// Any host's database: its schema may hold more tables (the app's does); the store names its own in SQL.
export type LocalKvDb = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** Where applied migrations are recorded: apart from the app's own (drizzle's default table). */
export const LOCAL_KV_MIGRATIONS_TABLE = "__local_kv_migrations";

/**
 * packages/local-kv/drizzle, found through the package's own name so that it is the same folder
 * whether this module runs from source or bundled into the app's server build.
 */
export function localKvMigrationsFolder(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@kvdeck/local-kv/package.json")), "drizzle");
}

/** Creates or updates the local KV tables (a no-op on a database whose tables are current). */
export async function migrateLocalKv(db: LocalKvDb): Promise<void> {
  const config = { migrationsFolder: localKvMigrationsFolder(), migrationsTable: LOCAL_KV_MIGRATIONS_TABLE };
  // What each driver's migrate() (drizzle-orm/pglite/migrator, drizzle-orm/node-postgres/migrator)
  // does, written once for any of them: the dialect runs the files in one transaction.
  const { dialect, session } = db as unknown as { dialect: PgDialect; session: PgSession };
  await dialect.migrate(readMigrationFiles(config), session, config);
}

/**
 * Ends a node-postgres pool and waits until each of its connections has closed: pool.end()
 * resolves before they have, and whoever drops the database next (a test helper, `with (force)`)
 * would cut a live one, whose error the ended pool throws with nobody listening.
 */
export async function endPool(pool: Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on("remove", () => {
      if (--open <= 0) resolve();
    });
  });
  await pool.end();
  await closed;
}
