// A database for one test file holding the local KV tables and nothing else, made by the package's
// own migrations: an in-memory PGlite by default; with KVDECK_TEST_DATABASE_URL set (.ci/run's
// PostgreSQL pass), a fresh database on that server, dropped on close, so files running in parallel
// never share rows.
import crypto from "node:crypto";
import fs from "node:fs";
import { inject } from "vitest";
import { type LocalKvDb, endPool, migrateLocalKv } from "../../src/database";
import type { TemplateName } from "./pglite-template";

export interface LocalKvTestDatabase {
  db: LocalKvDb;
  kind: "pglite" | "postgres";
  /** Closes every connection (and on PostgreSQL drops the database). */
  close(): Promise<void>;
}

export async function openLocalKvTestDatabase(): Promise<LocalKvTestDatabase> {
  const url = process.env.KVDECK_TEST_DATABASE_URL;
  return url ? openPostgres(url) : openPglite();
}

/** The run's template `name` (./pglite-template.ts) as PGlite's `loadDataDir` takes it; undefined where none was made. */
export function loadTemplate(name: TemplateName): Blob | undefined {
  const file = inject(name);
  return file ? new Blob([fs.readFileSync(file)]) : undefined;
}

async function openPglite(): Promise<LocalKvTestDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  // The run's migrated template (./pglite-template.ts); migrateLocalKv below then has nothing to do.
  const client = await PGlite.create({ loadDataDir: loadTemplate("localKvPgliteTemplate") });
  const close = () => client.close();
  return migrated({ db: drizzle(client), kind: "pglite", close });
}

/**
 * A fresh, empty database on the PostgreSQL server at `url` (not a fresh schema: a host's
 * migrations, kvdeck's among them, may name "public" in their foreign keys): its URL and its name,
 * and drop(), which ends every connection to it, other processes' too (`with (force)`: a host's
 * child processes a test killed).
 */
export async function createPostgresDatabase(
  url: string,
  prefix = "kvdeck_test",
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const { default: pg } = await import("pg");
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const created = new URL(url);
  created.pathname = `/${name}`;
  return { url: created.toString(), name, drop: () => admin(`drop database ${name} with (force)`) };
}

async function openPostgres(url: string): Promise<LocalKvTestDatabase> {
  const { default: pg } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const created = await createPostgresDatabase(url, "kvdeck_local_kv_test");
  const pool = new pg.Pool({ connectionString: created.url, max: 10 });
  const close = async () => {
    await endPool(pool);
    await created.drop();
  };
  return migrated({ db: drizzle(pool), kind: "postgres", close });
}

async function migrated(database: LocalKvTestDatabase): Promise<LocalKvTestDatabase> {
  try {
    await migrateLocalKv(database.db);
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return database;
}
