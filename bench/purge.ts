// Benchmark: purge 1,000,000 keys against the local KV API with Cloudflare's request budget shape
// enforced by the server (429 + Retry-After) and kept by kvdeck's own budget. Not a test: run by hand.
//   npx tsx bench/purge.ts                       # the real shape, 1200/300s: about 5 minutes
//   npx tsx bench/purge.ts --budget 1200/30s     # the same shape 10× faster; figures also shown scaled back
//   options: --keys N, --faults error=0.05,burst429=0.01,partial=0.01, --latency 20ms,
//            --recycle keep|skip (keep: the recycle bin's copy before each delete, the default)
// Prints wall time against the request-bound minimum (list pages + the copy's bulk gets + bulk
// deletes at the budget), the requests used, how an interactive request fared meanwhile, peak memory.
import { sql } from "drizzle-orm";
import { getJob, startJob } from "~/jobs/api.server";
import { isFinished } from "~/jobs/types";
import { DEFAULT_JOB_SHARE, describeBudget, parseBudget } from "~/kv/budget.server";
import { BULK_GET_MAX_KEYS, BULK_MAX_KEYS, LIST_LIMIT_MAX } from "~/kv/limits";
import { parseFaults } from "@kvdeck/local-kv";
import { BENCH_ACCOUNT, startInProcess } from "./lib/in-process";

const REAL_BUDGET = "1200/300s";
const INTERACTIVE_EVERY_MS = 2_000;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const KEYS = Number(option("keys", "1000000"));
const budgetText = option("budget", REAL_BUDGET);
const budget = parseBudget(budgetText)!;
const real = parseBudget(REAL_BUDGET)!;
const scale = real.windowMs / real.requests / (budget.windowMs / budget.requests);
const faults = parseFaults(option("faults", ""));
const latency = option("latency", "");
const recycle = option("recycle", "keep") === "skip" ? "skip" : "keep";
if (latency) Object.assign(faults, parseFaults(`latency=${latency}`));

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const kvdeck = await startInProcess({ budget, faults });
  const { store, connections, connection, services } = kvdeck;
  const ns = (await store.createNamespace(BENCH_ACCOUNT, "bench-purge"))!.id;
  let started = performance.now();
  await store.executeSeed(sql`
    insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
    select ${ns}, 'cache/' || lpad(i::text, 7, '0'), convert_to('<html>page ' || i || '</html>', 'UTF8'), '{"tag":"page"}', null
    from generate_series(1, ${KEYS}) as i`);
  await store.analyze();
  console.log(`seeded ${KEYS.toLocaleString("en")} keys in ${s(performance.now() - started)}; RSS ${mb(process.memoryUsage().rss)}`);

  const interactive = await connections.upstreamFor(connection);

  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = rssBefore;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 100);

  // A person browsing meanwhile: one list request every few seconds, through the same budget.
  const browsing: number[] = [];
  let browsingFailures = 0;
  const browser = setInterval(() => {
    const t = performance.now();
    interactive.listKeys(ns, { prefix: "cache/09", limit: 50 }).then(
      () => browsing.push(performance.now() - t),
      () => browsingFailures++,
    );
  }, INTERACTIVE_EVERY_MS);

  started = performance.now();
  const job = await startJob({
    services,
    user: "bench",
    connectionId: connection.id,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "cache/" }, recycle },
  });
  let snapshot = job;
  let lastPrint = 0;
  while (!isFinished(snapshot.state)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    snapshot = (await getJob({ services, jobId: job.id }))!;
    if (performance.now() - lastPrint > 10_000) {
      lastPrint = performance.now();
      console.log(
        `  ${s(performance.now() - started)}: ${snapshot.counters.succeeded.toLocaleString("en")} deleted, ${snapshot.requestsUsed} requests, ${snapshot.rate?.toFixed(0) ?? "-"} keys/s`,
      );
    }
  }
  const wall = performance.now() - started;
  clearInterval(sampler);
  clearInterval(browser);

  const remaining = await store.countKeys(ns);
  const listPages = Math.ceil(KEYS / LIST_LIMIT_MAX);
  const deletes = Math.ceil(KEYS / BULK_MAX_KEYS);
  const bulkGets = recycle === "keep" ? Math.ceil(KEYS / BULK_GET_MAX_KEYS) : 0;
  const minimumRequests = listPages + bulkGets + deletes;
  const perRequestMs = budget.windowMs / budget.requests;
  const rateMinimum = minimumRequests * perRequestMs;
  const jobLimit = Math.floor(budget.requests * DEFAULT_JOB_SHARE);
  const windowMinimum = Math.floor((minimumRequests - 1) / jobLimit) * budget.windowMs;
  browsing.sort((a, b) => a - b);

  console.log(
    `\npurge of ${KEYS.toLocaleString("en")} keys (recycle copy: ${recycle}), budget ${describeBudget(budget)} (server limit and kvdeck budget; jobs get ${jobLimit} a window)`,
  );
  console.log(`  state ${snapshot.state}; counters ${JSON.stringify(snapshot.counters)}; keys left ${remaining}`);
  console.log(`  wall time                   ${s(wall)}`);
  console.log(
    `  request-bound minimum       ${s(rateMinimum)}  (${listPages} list pages + ${bulkGets} bulk gets + ${deletes} bulk deletes = ${minimumRequests} requests at ${perRequestMs} ms each)`,
  );
  console.log(`  ratio wall / minimum        ${(wall / rateMinimum).toFixed(2)}`);
  console.log(`  sliding-window minimum      ${s(windowMinimum)}  (${minimumRequests} requests, ${jobLimit} a window)`);
  console.log(
    `  requests used               ${snapshot.requestsUsed} (${(snapshot.requestsUsed / minimumRequests).toFixed(3)} × the minimum)`,
  );
  if (recycle === "keep") {
    const deletion = await services.jobs.deps.recycle.deletion(job.id);
    console.log(`  copies kept                 ${deletion?.keys.toLocaleString("en")} keys, ${mb(deletion?.bytes ?? 0)}`);
  }
  console.log(
    `  interactive list requests   ${browsing.length} ok, ${browsingFailures} refused; p50 ${browsing[Math.floor(browsing.length / 2)]?.toFixed(0) ?? "-"} ms, max ${browsing[browsing.length - 1]?.toFixed(0) ?? "-"} ms`,
  );
  console.log(`  peak RSS                    ${mb(peakRss)} (${mb(rssBefore)} before the purge, the seeded PGlite included)`);
  console.log(`  peak JS heap                ${mb(peakHeap)} (${mb(heapBefore)} before the purge)`);
  if (scale !== 1 && budget.requests === real.requests) {
    console.log(
      `\n  scaled to ${REAL_BUDGET} (×${scale}): minimum ${s(rateMinimum * scale)}, this run's wall time ×${scale} ≈ ${s(wall * scale)}`,
    );
  }

  await kvdeck.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
