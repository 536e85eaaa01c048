// Benchmark: "Select all matching" → plan → apply for N keys (default 1,000,000) against the local
// KV API, through the job runner exactly as the dashboard does (a purge's dry run, then a purge
// given the plan). Counts the upstream requests the API served for the namespace, by route, and
// compares them with the minimum (ceil(N/1000) list pages + ceil(N/10000) bulk deletes: 1,100 per
// million) and with the dry run + purge that listed twice (2,100 per million). Not a test: run by hand.
//   npx tsx bench/plan-apply.ts                     # 1,000,000 keys, 3 runs, no request budget
//   options: --keys N, --runs N, --budget 1200/30s (server limit and kvdeck's budget)
import os from "node:os";
import { sql } from "drizzle-orm";
import { startJob } from "~/jobs/api.server";
import { type PlanResult } from "~/jobs/types";
import { describeBudget, parseBudget } from "~/kv/budget.server";
import { BULK_MAX_KEYS, LIST_LIMIT_MAX } from "~/kv/limits";
import { startInProcess } from "./lib/in-process";

const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const KEYS = Number(option("keys", "1000000"));
const RUNS = Number(option("runs", "3"));
const budget = parseBudget(option("budget", "1000000/1s"))!;

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const n = (value: number) => value.toLocaleString("en");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  console.log(
    `load before: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (1, 5, 15 min)`,
  );
  // Every upstream request the API serves, by namespace and route.
  const served = new Map<string, { lists: number; deletes: number; other: number }>();
  const kvdeck = await startInProcess({
    budget,
    before(req, _res, next) {
      const match = /\/storage\/kv\/namespaces\/([^/]+)\/(keys|bulk\/delete|bulk)(?:\?|$)/.exec(req.url);
      if (match) {
        const counts = served.get(match[1]) ?? { lists: 0, deletes: 0, other: 0 };
        if (match[2] === "keys" && req.method === "GET") counts.lists++;
        else if (match[2] === "bulk/delete" || (match[2] === "bulk" && req.method === "DELETE")) counts.deletes++;
        else counts.other++;
        served.set(match[1], counts);
      }
      next();
    },
  });
  const { store, connection, services } = kvdeck;

  const wait = kvdeck.waitFor;
  const start = (namespaceId: string, payload: unknown, dryRun: boolean) =>
    startJob({ services, user: "bench", connectionId: connection.id, namespaceId, kind: "purge", payload, dryRun });

  const minimum = Math.ceil(KEYS / LIST_LIMIT_MAX) + Math.ceil(KEYS / BULK_MAX_KEYS);
  const before = 2 * Math.ceil(KEYS / LIST_LIMIT_MAX) + Math.ceil(KEYS / BULK_MAX_KEYS);
  const rows: { plan: number; apply: number; requests: number }[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const ns = (await store.createNamespace(ACCOUNT, `bench-plan-${run}`))!.id;
    // The matching keys, and as many beside them that the rule's prefix keeps out of the listing.
    await store.executeSeed(sql`
      insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
      select ${ns}, 'cache/' || lpad(i::text, 7, '0'), convert_to('<html>page ' || i || '</html>', 'UTF8'), '{"tag":"page"}'::text, null::bigint
      from generate_series(1, ${KEYS}) as i
      union all select ${ns}, 'keep/' || lpad(i::text, 7, '0'), convert_to('k', 'UTF8'), null, null from generate_series(1, 1000) as i`);
    await store.analyze();

    let t = performance.now();
    const plan = await wait((await start(ns, { rule: { prefix: "cache/" } }, true)).id);
    const planMs = performance.now() - t;
    const planned = (plan.result as PlanResult).dryRun;
    const afterPlan = { ...served.get(ns)! };
    t = performance.now();
    const apply = await wait((await start(ns, { rule: { prefix: "cache/" }, plan: plan.id }, false)).id);
    const applyMs = performance.now() - t;
    const counts = served.get(ns)!;
    const left = await store.countKeys(ns);
    const total = counts.lists + counts.deletes + counts.other;
    rows.push({ plan: planMs, apply: applyMs, requests: total });

    console.log(`\nrun ${run}: ${n(KEYS)} keys matching prefix "cache/" (and 1,000 others), budget ${describeBudget(budget)}`);
    console.log(`  plan   ${plan.state}: ${n(planned.matched)} keys, ${afterPlan.lists} list requests, ${s(planMs)}`);
    console.log(
      `         its estimate for the apply: ${n(planned.estimate.requests)} requests, at least ${planned.estimate.seconds} s; re-check would add ${n(planned.plan?.recheckRequests ?? 0)}`,
    );
    console.log(
      `  apply  ${apply.state}: ${n(apply.counters.succeeded)} deleted, ${counts.lists - afterPlan.lists} list + ${counts.deletes - afterPlan.deletes} bulk delete requests, ${s(applyMs)}`,
    );
    console.log(`  keys left ${n(left)} (the 1,000 others: ${left === 1000 ? "yes" : "NO"})`);
    console.log(
      `  upstream requests in all    ${n(total)}   minimum ${n(minimum)} (ratio ${(total / minimum).toFixed(3)})   dry run + purge listing twice ${n(before)} (ratio ${(total / before).toFixed(3)})`,
    );
  }
  console.log(
    `\nmedian of ${RUNS}: plan ${s(median(rows.map((r) => r.plan)))}, apply ${s(median(rows.map((r) => r.apply)))}, requests ${n(median(rows.map((r) => r.requests)))}`,
  );
  console.log(
    `load after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (1, 5, 15 min)`,
  );

  await kvdeck.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
