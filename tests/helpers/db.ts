// A database for one test file: in-memory PGlite by default; with KVDECK_TEST_DATABASE_URL set, a
// fresh database on that PostgreSQL server, dropped on close, so files running in parallel never
// share rows.
import crypto from "node:crypto";
import { type Database, openDatabase } from "~/db/client.server";

export type TestDatabase = Pick<Database, "db" | "close" | "kind">;

export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.KVDECK_TEST_DATABASE_URL;
  if (!url) return openDatabase({});
  return openPostgresDatabase(url);
}

/** Not a fresh schema: the committed migrations name "public" in their foreign keys. */
async function openPostgresDatabase(url: string): Promise<TestDatabase> {
  const { default: pg } = await import("pg");
  const name = `kvdeck_test_${crypto.randomBytes(6).toString("hex")}`;
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
  const database = await openDatabase({ url: testUrl.toString() });
  return {
    db: database.db,
    kind: database.kind,
    async close() {
      await database.close();
      await admin(`drop database ${name} with (force)`);
    },
  };
}
