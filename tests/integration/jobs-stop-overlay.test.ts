// A purge stopped part-way (cancelled or paused) against an upstream that keeps listing deleted
// keys for a while (the local KV API with a consistency delay): in the merged key list the
// dashboard shows, the keys it deleted stay hidden while the upstream still lists them, and the
// keys it had not reached yet show again at once.
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { loadKeyPage } from "~/features/keys/page.server";
import { cancelJob, pauseJob, startJob } from "~/jobs/api.server";
import { type JobsHarness, seedKeys, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const DOOMED = 50_000;
const KEPT = 1_000;
/** Long enough that nothing the purge deleted has left the listing when the test looks. */
const CONSISTENCY_DELAY_MS = 60_000;

let kv: LocalKv;
let h: JobsHarness;

beforeAll(async () => {
  kv = await startLocalKv({ consistencyDelayMs: CONSISTENCY_DELAY_MS, faults: { latencyMs: 20 } });
  h = await startJobs(kv);
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await h.close();
  await kv.close();
});

/** Every key of the namespace as the dashboard shows it (upstream pages with the marks merged). */
async function shownKeys(namespaceId: string): Promise<{ shown: string[]; hidden: number }> {
  const shown: string[] = [];
  let hidden = 0;
  let cursor = "";
  let after: string | null = null;
  do {
    const page = await loadKeyPage(h.services.cache, h.upstream, { accountId: kv.accountId, namespaceId, prefix: "", cursor, after });
    shown.push(...page.keys.map((k) => k.name));
    hidden += page.hidden;
    cursor = page.cursor;
    after = page.pageEnd;
  } while (cursor);
  return { shown, hidden };
}

test.each(["cancel", "pause"] as const)("a purge stopped by %s mid-run keeps the keys it deleted hidden, and only those", async (stop) => {
  const ns = (await kv.store.createNamespace(kv.accountId, `stopped-${stop}`))!.id;
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'doomed/' || lpad(i::text, 6, '0'), convert_to('v', 'UTF8'), null::text, null::bigint from generate_series(1, ${DOOMED}) i
        union all select ${ns}, 'kept/' || lpad(i::text, 6, '0'), convert_to('v', 'UTF8'), null, null from generate_series(1, ${KEPT}) i`,
  );
  // The stop is asked for as the second bulk delete reaches the upstream: mid-purge.
  let deletes = 0;
  let requested: Promise<unknown> | null = null;
  const split = kv.faults.splitBulk.bind(kv.faults);
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "doomed/" } },
  });
  vi.spyOn(kv.faults, "splitBulk").mockImplementation(<T>(items: T[], keyOf: (item: T) => string) => {
    if (++deletes === 2) requested = (stop === "cancel" ? cancelJob : pauseJob)({ services: h.services, jobId: job.id });
    return split(items, keyOf);
  });
  const stopped = await waitForJob(h, job.id, { until: (j) => j.state === "cancelled" || j.state === "paused" || j.state === "succeeded" });
  await requested;
  expect(stopped.state).toBe(stop === "cancel" ? "cancelled" : "paused");

  // What the upstream deleted: the deletes it accepted and still lists (the consistency delay).
  const pending = (await kv.db.execute(
    sql`select key from local_kv_pending where namespace_id = ${ns} and value is null order by key`,
  )) as unknown as { rows: { key: string }[] };
  const deleted = new Set(pending.rows.map((r) => r.key));
  expect(deleted.size).toBe(stopped.counters.succeeded);
  expect(deleted.size).toBeGreaterThan(0);
  expect(deleted.size).toBeLessThan(DOOMED);

  const { shown, hidden } = await shownKeys(ns);
  // Still listed upstream, still hidden here.
  expect(hidden).toBe(deleted.size);
  expect(shown.filter((k) => deleted.has(k))).toEqual([]);
  // Every key it did not delete shows: the rest of doomed/ and all of kept/.
  expect(shown.length).toBe(DOOMED + KEPT - deleted.size);
  expect(shown.filter((k) => k.startsWith("kept/")).length).toBe(KEPT);
});
