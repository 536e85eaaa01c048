// Purges of 100,000 keys against the local KV API with a request budget on both sides and
// injected faults (5% 5xx, bursts of 429, partial bulk failures): every matching key goes, and no
// other key is ever sent in a delete. (No recycle copy here: tests/integration/recycle-jobs.test.ts
// purges under the same faults with it.)
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { startJob } from "~/jobs/api.server";
import type { JobSnapshot } from "~/jobs/types";
import { type JobsHarness, countKeys, seedKeys, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const BUDGET = "2000/10s";
const FAULTS = { error: 0.05, burst429: 0.02, partial: 0.02, seed: 42 };

let kv: LocalKv;
let h: JobsHarness;

beforeAll(async () => {
  kv = await startLocalKv({ rateLimit: BUDGET });
  h = await startJobs(kv, { budget: BUDGET });
});
afterAll(async () => {
  await h.close();
  await kv.close();
});
afterEach(() => {
  kv.faults.reset();
});

/** Every key a bulk delete asked for, before the faults chose which to refuse. */
function recordDeletes(): string[] {
  const sent: string[] = [];
  const split = kv.faults.splitBulk.bind(kv.faults);
  vi.spyOn(kv.faults, "splitBulk").mockImplementation(<T>(items: T[], keyOf: (item: T) => string) => {
    for (const item of items) if (typeof item === "string") sent.push(item);
    return split(items, keyOf);
  });
  return sent;
}

function expectExact(job: JobSnapshot, matching: number) {
  expect(job.state).toBe("succeeded");
  expect(job.counters).toMatchObject({ matched: matching, processed: matching, succeeded: matching, failed: 0, skipped: 0 });
  expect(job.totalEstimate).toBe(matching);
  expect(job.finishedAt).not.toBeNull();
}

test("purge by prefix: 100,000 keys under faults, none left, none other touched", async () => {
  const ns = (await kv.store.createNamespace(kv.accountId, "purge-prefix"))!.id;
  // 100,000 under "cache/v1/", and 30,000 around them that share part of the prefix.
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'cache/v1/' || lpad(i::text, 6, '0'), convert_to('page ' || i, 'UTF8'), '{"tag":"x"}', null::bigint from generate_series(1, 100000) i
        union all
        select ${ns}, (array['cache/v1', 'cache/v10/', 'cache/v2/', 'cache/', 'Cache/v1/'])[1 + i % 5] || lpad(i::text, 6, '0'), convert_to('keep ' || i, 'UTF8'), null::text, null::bigint
        from generate_series(1, 30000) i`,
  );
  const sent = recordDeletes();
  kv.faults.update(FAULTS);

  const started = Date.now();
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "cache/v1/" }, recycle: "skip" },
  });
  const done = await waitForJob(h, job.id);
  kv.faults.reset();
  console.log(`purge by prefix: ${Date.now() - started} ms, ${done.requestsUsed} requests`);

  expectExact(done, 100_000);
  expect(await countKeys(kv, ns, sql`starts_with(key, 'cache/v1/')`)).toBe(0);
  expect(await countKeys(kv, ns)).toBe(30_000);
  expect(sent.filter((k) => !k.startsWith("cache/v1/"))).toEqual([]);
  // The faults were met and worked through: more requests than the fault-free 100 pages + 10 deletes.
  expect(done.requestsUsed).toBeGreaterThan(110);
});

test("purge by metadata tag: 100,000 of 165,000 keys under faults, exact", async () => {
  const ns = (await kv.store.createNamespace(kv.accountId, "purge-tag"))!.id;
  // Tagged keys interleaved with keys of another tag, a similar tag, and none.
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'page/' || lpad(i::text, 7, '0'), convert_to('v' || i, 'UTF8'),
          case when i % 33 < 20 then '{"cache-tag":"blog","v":1}' when i % 33 < 30 then '{"cache-tag":"shop"}' when i % 33 < 31 then '{"cache-tag":"blog-old"}' else null end,
          null
        from generate_series(0, 164999) i`,
  );
  const tagged = await countKeys(kv, ns, sql`metadata::jsonb->>'cache-tag' = 'blog'`);
  expect(tagged).toBe(100_000);
  const sent = recordDeletes();
  kv.faults.update({ ...FAULTS, seed: 7 });

  const started = Date.now();
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { metadata: [{ field: "cache-tag", op: "equals", value: "blog" }] }, recycle: "skip" },
  });
  const done = await waitForJob(h, job.id);
  kv.faults.reset();
  console.log(`purge by tag: ${Date.now() - started} ms, ${done.requestsUsed} requests`);

  expectExact(done, 100_000);
  expect(done.counters.scanned).toBe(165_000);
  expect(await countKeys(kv, ns, sql`metadata::jsonb->>'cache-tag' = 'blog'`)).toBe(0);
  expect(await countKeys(kv, ns)).toBe(65_000);
  const sentSet = new Set(sent);
  const untouched = (await kv.db.execute(sql`select key from local_kv_entries where namespace_id = ${ns}`)) as unknown as {
    rows: { key: string }[];
  };
  expect(untouched.rows.filter((r) => sentSet.has(r.key))).toEqual([]);
});
