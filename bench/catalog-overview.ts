// Benchmark: the namespace overview's figures and the prefix tree's first level on a catalog of
// 1,000,000 keys in PGlite (in memory, its own database). Not a test: run by hand.
//   npx tsx bench/catalog-overview.ts              # 1,000,000 keys, 7 runs
//   options: --keys N, --runs N
// Keys: `t<0..19>/u<i>/item`, a third with metadata ({"plan": …, "region": …}), a quarter with an
// expiration spread over the next 60 days. Rows go straight into catalog_keys with generate_series
// (a bench's own database), then VACUUM ANALYZE, as PostgreSQL's autovacuum would.
import os from "node:os";
import { sql } from "drizzle-orm";
import { forgetKeptLevels, prefixChildren } from "~/catalog/prefixes.server";
import { catalogStats, catalogVersion, forgetCatalogStats, settleCatalogStats } from "~/catalog/stats.server";
import { openDatabase } from "~/db/client.server";
import { catalogs, connections } from "~/db/schema";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const KEYS = option("keys", 1_000_000);
const RUNS = option("runs", 7);

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const time = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

const database = await openDatabase({});
const { db } = database;
const [connection] = await db.insert(connections).values({ name: "bench", kind: "local", accountId: "bench" }).returning();
const [created] = await db
  .insert(catalogs)
  .values({ connectionId: connection.id, namespaceId: "bench", state: "ready", scan: 1 })
  .returning();
const now = Date.now();
const nowS = Math.floor(now / 1000);
const t0 = performance.now();
for (let from = 0; from < KEYS; from += 100_000) {
  const to = Math.min(KEYS, from + 100_000) - 1;
  await db.execute(sql`
    insert into catalog_keys (catalog_id, key, metadata, metadata_bytes, expiration, seen_scan, added_scan)
    select ${created.id}, 't' || (i % 20) || '/u' || i || '/item',
           case when i % 3 = 0 then jsonb_build_object('plan', (array['free','pro','team'])[1 + (i / 3) % 3], 'region', 'r' || (i % 7)) end,
           case when i % 3 = 0 then 30 else 0 end,
           case when i % 4 = 0 then ${nowS} + (i % 5184000) end,
           1, 1
    from generate_series(${from}::int, ${to}::int) as i`);
}
await db.execute(
  sql`update catalogs set key_count = ${KEYS}, bytes = (select sum(octet_length(key) + metadata_bytes) from catalog_keys where catalog_id = ${created.id}), as_of = now() where id = ${created.id}`,
);
await db.execute(sql`vacuum analyze catalog_keys`);
const [catalog] = await db.select().from(catalogs);
console.log(`catalog of ${KEYS.toLocaleString("en")} keys filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const cold: number[] = [];
const kept: number[] = [];
const changed: number[] = [];
const tree: number[] = [];
const treeKept: number[] = [];
const treeMemory: number[] = [];
for (let run = 0; run < RUNS; run++) {
  // Nothing kept: every figure computed (a delimiter never asked for; an index job computes "auto"
  // as its listing ends, which is the same work).
  await forgetCatalogStats(db);
  cold.push(await time(() => catalogStats(db, catalog, { delimiter: "auto", now })));
  // The figures kept in the database at that version (any process, after a restart too): the
  // expiry buckets are counted, the rest is read.
  kept.push(await time(() => catalogStats(db, catalog, { delimiter: "auto", now })));
  // The keys changed (a new version): the last figures at once, the new ones computed behind.
  const moved = { ...catalog, updatedAt: new Date(catalog.updatedAt.getTime() + run + 1) };
  changed.push(await time(() => catalogStats(db, moved, { delimiter: "auto", now })));
  await settleCatalogStats();
  tree.push(await time(() => prefixChildren(db, catalog.id, { prefix: "", delimiter: "/" })));
  const version = `${catalogVersion(catalog)}:${run}`;
  await prefixChildren(db, catalog.id, { prefix: "", delimiter: "/", version });
  forgetKeptLevels();
  treeKept.push(await time(() => prefixChildren(db, catalog.id, { prefix: "", delimiter: "/", version })));
  treeMemory.push(await time(() => prefixChildren(db, catalog.id, { prefix: "", delimiter: "/", version })));
}
const level = await prefixChildren(db, catalog.id, { prefix: "", delimiter: "/" });
const line = (label: string, xs: number[]) =>
  console.log(`${label.padEnd(50)} p50 ${percentile(xs, 50).toFixed(0)} ms  p95 ${percentile(xs, 95).toFixed(0)} ms`);
console.log(
  `${RUNS} runs · load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} · ${os.cpus().length} cores`,
);
line("overview, nothing kept (every figure computed)", cold);
line("overview, kept in the database (+ expiry)", kept);
line("overview, keys changed (last figures + expiry)", changed);
line(`prefix tree first level walked (${level.folders.length} folders)`, tree);
line("prefix tree first level, kept in the database", treeKept);
line("prefix tree first level, kept in memory", treeMemory);
await database.close();
