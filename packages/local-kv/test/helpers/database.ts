// A database for one test file holding the local KV tables and nothing else, made by the package's
// own migrations: an in-memory PGlite by default; with KVDECK_TEST_DATABASE_URL set (.ci/run's
// PostgreSQL pass), a fresh database on that server, dropped on close, so files running in parallel
// never share rows.
import crypto from "node:crypto";
import type { Pool } from "pg";
import { type LocalKvDb, migrateLocalKv } from "../../src/database";

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

async function openPglite(): Promise<LocalKvTestDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const client = await PGlite.create();
  const close = () => client.close();
  return migrated({ db: drizzle(client), kind: "pglite", close });
}

async function openPostgres(url: string): Promise<LocalKvTestDatabase> {
  const { default: pg } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const name = `kvdeck_local_kv_test_${crypto.randomBytes(6).toString("hex")}`;
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
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: testUrl.toString(), max: 10 });
  const close = async () => {
    await endPool(pool);
    await admin(`drop database ${name} with (force)`);
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

/**
 * pool.end() resolves before its connections have closed; this waits for each of them too, so the
 * drop that follows (`with (force)`) cuts no live connection, whose error the ended pool would throw
 * with nobody listening.
 */
async function endPool(pool: Pool): Promise<void> {
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
