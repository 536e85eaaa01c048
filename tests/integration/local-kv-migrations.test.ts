// kvdeck's openDatabase runs the local KV API's migrations after its own: on a database the app's
// first migration already gave the local KV tables, the package's first migration records itself
// and changes nothing (packages/local-kv/drizzle; docs/decisions/011-local-kv-package.md).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestDatabase, openTestDatabase } from "../helpers/db";

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

it("applies both migration folders, each recorded in its own table", async () => {
  const count = async (table: string) =>
    ((await database.db.execute(sql.raw(`select count(*)::int as n from drizzle."${table}"`))) as unknown as { rows: { n: number }[] })
      .rows[0].n;
  expect(await count("__local_kv_migrations")).toBe(1);
  expect(await count("__drizzle_migrations")).toBeGreaterThan(1);
  const tables = (await database.db.execute(
    sql`select table_name as name from information_schema.tables where table_name like 'local_kv_%' order by 1`,
  )) as unknown as { rows: { name: string }[] };
  expect(tables.rows.map((t) => t.name)).toEqual(["local_kv_entries", "local_kv_namespaces", "local_kv_pending"]);
});
