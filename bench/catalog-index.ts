// Benchmark: index a namespace of N keys (default 1,000,000) on the local KV API into its catalog,
// then search the catalog for a rare metadata value. Not a test: run by hand, with a fixed heap so
// the memory figures compare between sizes:
//   node --max-old-space-size=512 --import tsx bench/catalog-index.ts                    # 1M keys, 1200/30s
//   node --max-old-space-size=512 --import tsx bench/catalog-index.ts --keys 100000
//   options: --budget 1200/300s (Cloudflare's real shape; default 1200/30s, the same shape 10x faster),
//            --queries 50
//   DATABASE_URL=postgres://… runs on a PostgreSQL server (its memory outside this process) instead of
//   in-process PGlite (the local KV API's keys and the catalog both live there); BENCH_PGLITE_DIR=DIR
//   puts that PGlite in a data directory, as kvdeck runs by default, instead of in memory.
// Prints wall time against the request-bound minimum (list pages at the budget's rate, and the
// sliding-window minimum), peak RSS at 100k keys and at the end, the catalog's bytes per million
// keys (its own count and PostgreSQL's relation sizes), and the rare-value search's p50/p95 over
// the queries with the upstream requests they made (counted at the upstream).
import { sql } from "drizzle-orm";
import { loadKeyPage } from "~/features/keys/page.server";
import { getJob, startJob } from "~/jobs/api.server";
import { isFinished } from "~/jobs/types";
import { DEFAULT_JOB_SHARE, describeBudget, parseBudget } from "~/kv/budget.server";
import { LIST_LIMIT_MAX } from "~/kv/limits";
import type { KvUpstream } from "~/kv/upstream.server";
import { option } from "./lib/cli";
import { BENCH_ACCOUNT, startInProcess } from "./lib/in-process";

const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
/** One key in this many carries the rare tag. */
const RARE_EVERY = 100_000;

const KEYS = Number(option("keys", "1000000"));
const QUERIES = Number(option("queries", "50"));
const budget = parseBudget(option("budget", "1200/30s"))!;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The upstream with its list requests counted. */
function counted(upstream: KvUpstream): { upstream: KvUpstream; requests: () => number } {
  let n = 0;
  return {
    upstream: {
      ...upstream,
      listKeys: (...args) => {
        n++;
        return upstream.listKeys(...args);
      },
      getValue: (...args) => {
        n++;
        return upstream.getValue(...args);
      },
    },
    requests: () => n,
  };
}

async function main() {
  const kvdeck = await startInProcess({ budget });
  const { database, store, connections, connection, cache, services } = kvdeck;
  const ns = (await store.createNamespace(BENCH_ACCOUNT, "bench-catalog"))!.id;
  let started = performance.now();
  await store.executeSeed(sql`
    insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
    select ${ns}, 'page/' || lpad(i::text, 7, '0'), convert_to('v', 'UTF8'),
      case when i % ${RARE_EVERY} = 7 then '{"tag":"rare","lang":"en"}'
           when i % 3 = 0 then null
           else '{"tag":"page-' || (i % 50) || '","lang":"en"}' end,
      case when i % 4 = 0 then 4000000000 + i else null end
    from generate_series(1, ${KEYS}) as i`);
  await store.analyze();
  console.log(`seeded ${KEYS.toLocaleString("en")} keys in ${s(performance.now() - started)}; RSS ${mb(process.memoryUsage().rss)}`);

  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  let peakHeap = 0;
  let peakAt100k: { rss: number; heap: number } | null = null;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 100);

  started = performance.now();
  const job = await startJob({ services, user: "bench", connectionId: connection.id, namespaceId: ns, kind: "index", payload: {} });
  let snapshot = job;
  let lastPrint = 0;
  while (!isFinished(snapshot.state)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    snapshot = (await getJob({ services, jobId: job.id }))!;
    if (peakAt100k === null && snapshot.counters.scanned >= 100_000) peakAt100k = { rss: peakRss, heap: peakHeap };
    if (performance.now() - lastPrint > 10_000) {
      lastPrint = performance.now();
      console.log(
        `  ${s(performance.now() - started)}: ${snapshot.counters.scanned.toLocaleString("en")} listed, ${snapshot.requestsUsed} requests`,
      );
    }
  }
  const wall = performance.now() - started;
  clearInterval(sampler);
  if (snapshot.state !== "succeeded") throw new Error(`index ${snapshot.state}: ${snapshot.error}`);

  const catalog = (await connections.catalog.get(connection.id, ns))!;
  const [sizes] = (
    (await database.db.execute(sql`select pg_total_relation_size('catalog_keys')::float8 as total,
        pg_relation_size('catalog_keys')::float8 as heap, pg_indexes_size('catalog_keys')::float8 as indexes`)) as unknown as {
      rows: { total: number; heap: number; indexes: number }[];
    }
  ).rows;

  const listPages = Math.ceil(KEYS / LIST_LIMIT_MAX);
  const perRequestMs = budget.windowMs / budget.requests;
  const rateMinimum = listPages * perRequestMs;
  const jobLimit = Math.floor(budget.requests * DEFAULT_JOB_SHARE);
  const windowMinimum = Math.floor((listPages - 1) / jobLimit) * budget.windowMs;
  const perMillion = (bytes: number) => mb((bytes * 1_000_000) / KEYS);

  console.log(
    `\nindex of ${KEYS.toLocaleString("en")} keys, budget ${describeBudget(budget)} (server limit and kvdeck budget; jobs get ${jobLimit} a window)`,
  );
  console.log(`  state ${snapshot.state}; catalog ${catalog.keyCount.toLocaleString("en")} keys, ${snapshot.requestsUsed} requests`);
  console.log(`  wall time                   ${s(wall)}`);
  console.log(
    `  request-bound minimum       ${s(rateMinimum)}  (${listPages} list pages at ${perRequestMs} ms each); ratio ${(wall / rateMinimum).toFixed(2)}`,
  );
  console.log(`  sliding-window minimum      ${s(windowMinimum)}  (${listPages} requests, ${jobLimit} a window)`);
  console.log(
    `  peak RSS                    at 100k keys ${peakAt100k === null ? "-" : mb(peakAt100k.rss)}, at the end ${mb(peakRss)} (${mb(rssBefore)} before; ${database.kind === "postgres" ? "PostgreSQL runs in its own processes (DATABASE_URL)" : process.env.BENCH_PGLITE_DIR ? "PGlite runs in this process, its pages in a data directory" : "PGlite runs in this process, in memory: the tables are in it"})`,
  );
  console.log(`  peak JS heap                at 100k keys ${peakAt100k === null ? "-" : mb(peakAt100k.heap)}, at the end ${mb(peakHeap)}`);
  console.log(`  catalog bytes (names+meta)  ${mb(catalog.bytes)}, ${perMillion(catalog.bytes)} per million keys`);
  console.log(
    `  catalog_keys on disk        ${mb(sizes.total)} (heap ${mb(sizes.heap)}, indexes ${mb(sizes.indexes)}), ${perMillion(sizes.total)} per million keys`,
  );

  // The rare-value search, as the keys page makes it: the catalog, the cache's marks merged over it.
  const interactive = counted(await connections.upstreamFor(connection));
  const times: number[] = [];
  let found = 0;
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    const page = await loadKeyPage(cache, interactive.upstream, {
      accountId: ACCOUNT,
      namespaceId: ns,
      prefix: "",
      cursor: "",
      after: null,
      filter: { metadata: [{ field: "tag", op: "equals", value: "rare" }] },
      catalog: { store: connections.catalog, catalog },
    });
    times.push(performance.now() - t);
    found = page.keys.length;
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)].toFixed(1);
  console.log(
    `  rare-metadata search        ${QUERIES} queries, ${found} matches each: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${times[times.length - 1].toFixed(1)} ms; upstream requests ${interactive.requests()}`,
  );

  await kvdeck.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
