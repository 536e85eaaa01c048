// The one database handle of a process: PGlite in the data dir by default, a PostgreSQL server
// when DATABASE_URL is set. Both run the same committed migrations from ./drizzle, then the local
// KV API's own (packages/local-kv/drizzle, a no-op where ./drizzle already made its tables).
// A PGlite data dir is one process's: opening it takes its lock (data-dir-lock.server.ts) first,
// and a second process is refused. This is the only module that opens PGlite.
import fs from "node:fs";
import path from "node:path";
import { endPool, migrateLocalKv } from "@kvdeck/local-kv";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { lockDataDir } from "./data-dir-lock.server";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The rows of a statement the query builder cannot express: the one reader of raw results (both drivers answer `{ rows }`). */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (typeof result === "object" && result !== null && "rows" in result && Array.isArray(result.rows)) return result.rows as T[];
  throw new Error("kvdeck: the database driver answered a query without rows");
}

export interface Database {
  db: Db;
  /** "pglite" or "postgres", for logs and for the few places that differ (e.g. pool size). */
  kind: "pglite" | "postgres";
  close(): Promise<void>;
  /** PGlite only: the database's files as one tarball, which `OpenOptions.loadDataDir` takes. */
  dumpDataDir?: () => Promise<Blob>;
}

const MIGRATIONS_FOLDER = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../drizzle");

export interface OpenOptions {
  /** A PostgreSQL connection string; wins over `pgliteDir`. */
  url?: string;
  /** A directory for PGlite's files, held by this process until close(); omitted means in memory. */
  pgliteDir?: string;
  /** The drizzle folder (the environment's KVDECK_MIGRATIONS_DIR); omitted: ./drizzle, or the one beside the code. */
  migrationsFolder?: string;
  /**
   * PGlite in memory only: start from this dump of a database (`Database.dumpDataDir`) instead of
   * an empty cluster, which PGlite makes by running initdb (seconds; loading a dump takes well under
   * one). Pending migrations still apply.
   */
  loadDataDir?: Blob;
}

/**
 * Opens the database and applies pending migrations. With `pgliteDir`, throws DataDirLockedError
 * (naming the holder's PID) before touching the directory if another live process holds it.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const migrationsFolder = options.migrationsFolder ?? findMigrations();
  if (options.url) {
    const { default: pg } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    const db = drizzle(pool, { schema });
    await migrate(db, { migrationsFolder });
    await migrateLocalKv(db);
    return { db: db as unknown as Db, kind: "postgres", close: () => endPool(pool) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const lock = options.pgliteDir ? lockDataDir(options.pgliteDir) : null;
  let client: InstanceType<typeof PGlite> | null = null;
  try {
    client = await PGlite.create({ dataDir: options.pgliteDir, loadDataDir: options.pgliteDir ? undefined : options.loadDataDir });
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder });
    await migrateLocalKv(db);
    const opened = client;
    return {
      db: db as unknown as Db,
      kind: "pglite",
      close: () => opened.close().finally(() => lock?.release()),
      dumpDataDir: () => opened.dumpDataDir("none"),
    };
  } catch (error) {
    await client?.close().catch(() => {});
    lock?.release();
    throw error;
  }
}

/** The drizzle folder, whether running from source (app/db) or from the server build. */
function findMigrations(): string {
  const candidates = [path.resolve(process.cwd(), "drizzle"), MIGRATIONS_FOLDER];
  const found = candidates.find((p) => fs.existsSync(path.join(p, "meta", "_journal.json")));
  if (!found) throw new Error(`kvdeck: no migrations found (looked in ${candidates.join(", ")})`);
  return found;
}
