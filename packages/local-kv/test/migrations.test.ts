// migrateLocalKv: the package's migrations make its tables on a fresh database, record themselves in
// their own table, and the first one is a no-op where the tables already exist (every database the
// app migrated before the package had migrations of its own), keeping the rows.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_KV_MIGRATIONS_TABLE, migrateLocalKv } from "../src/database";
import { LocalKvStore } from "../src/store";
import { type LocalKvTestDatabase, openLocalKvTestDatabase } from "./helpers/database";

let database: LocalKvTestDatabase;
beforeAll(async () => {
  database = await openLocalKvTestDatabase();
});
afterAll(() => database.close());

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
}
const applied = () => rows<{ n: number }>(sql.raw(`select count(*)::int as n from drizzle."${LOCAL_KV_MIGRATIONS_TABLE}"`));

describe("migrateLocalKv", () => {
  it("made the three tables and recorded its migration in its own table", async () => {
    const tables = await rows<{ name: string }>(
      sql`select table_name as name from information_schema.tables where table_name like 'local_kv_%' order by 1`,
    );
    expect(tables.map((t) => t.name)).toEqual(["local_kv_entries", "local_kv_namespaces", "local_kv_pending"]);
    expect(await applied()).toEqual([{ n: 1 }]);
  });

  it("runs again as a no-op, and its first migration applies over existing tables without touching their rows", async () => {
    const store = new LocalKvStore(database.db);
    const ns = (await store.createNamespace("c0ffee00c0ffee00c0ffee00c0ffee00", "kept"))!;
    await store.write(ns.id, [{ key: "k", value: Buffer.from("v"), metadata: null, expiration: null }]);

    await migrateLocalKv(database.db);
    expect(await applied()).toEqual([{ n: 1 }]);

    // As on a database whose tables the app's first migration made: nothing recorded yet.
    await database.db.execute(sql.raw(`delete from drizzle."${LOCAL_KV_MIGRATIONS_TABLE}"`));
    await migrateLocalKv(database.db);
    expect(await applied()).toEqual([{ n: 1 }]);
    expect((await store.get(ns.id, "k"))?.value.toString()).toBe("v");
    // The foreign keys are still there, once: deleting the namespace cascades.
    const fks = await rows<{ n: number }>(
      sql`select count(*)::int as n from information_schema.table_constraints where constraint_type = 'FOREIGN KEY' and table_name like 'local_kv_%'`,
    );
    expect(fks).toEqual([{ n: 2 }]);
    await store.deleteNamespace("c0ffee00c0ffee00c0ffee00c0ffee00", ns.id);
    expect(await store.countKeys(ns.id)).toBe(0);
  });
});
