// A job stopped (paused or cancelled) between the retry rounds of a bulk request that partly
// succeeded. The upstream refuses a few keys of each bulk delete (failKeys, until the job has
// stopped); the stop is asked for as soon as the first bulk delete reaches the server, so it lands
// while the engine waits to re-send the refused keys. The keys that round did delete must be
// counted as succeeded, the refused ones left to the resume (neither failed nor skipped), and the
// checkpoint must say so: a resumed job then neither repeats nor skips a key, and ends with counters
// equal to the number of matching keys.
import { sql } from "drizzle-orm";
import { afterEach, expect, test, vi } from "vitest";
import { cancelJob, pauseJob, resumeJob, startJob } from "~/jobs/api.server";
import type { PipelineCheckpoint } from "~/jobs/checkpoint";
import type { JobSnapshot } from "~/jobs/types";
import { countKeys, seedKeys, useJobsOnLocalKv, waitForJob } from "../helpers/jobs";

const DOOMED = 25_000;
const KEPT = 5_000;
/** One doomed key in a thousand: every batch of 10,000 holds ten of them. */
const REFUSED = "^doomed/\\d{3}007$";
const refused = (key: string) => new RegExp(REFUSED).test(key);
const DOOMED_KEYS = Array.from({ length: DOOMED }, (_, i) => `doomed/${String(i + 1).padStart(6, "0")}`);

const t = useJobsOnLocalKv();

afterEach(() => {
  t.kv.faults.reset();
  t.kv.store.consistencyDelayMs = 0;
});

async function namespace(title: string): Promise<string> {
  const ns = (await t.kv.store.createNamespace(t.kv.accountId, title))!.id;
  await seedKeys(
    t.kv,
    ns,
    sql`select ${ns}, 'doomed/' || lpad(i::text, 6, '0'), convert_to('v' || i, 'UTF8'), null::text, null::bigint from generate_series(1, ${DOOMED}) i
        union all select ${ns}, 'kept/' || lpad(i::text, 6, '0'), convert_to('v' || i, 'UTF8'), null, null from generate_series(1, ${KEPT}) i`,
  );
  return ns;
}

/**
 * Records every key a bulk delete carries (`sent`), and calls `onFirst` when the first one
 * reaches the server: the refused keys come back in that request's `unsuccessful_keys`.
 */
function watchDeletes(onFirst: () => void): { sent: string[] } {
  const sent: string[] = [];
  const split = t.kv.faults.splitBulk.bind(t.kv.faults);
  let first = true;
  vi.spyOn(t.kv.faults, "splitBulk").mockImplementation(<T>(items: T[], keyOf: (item: T) => string) => {
    for (const item of items) if (typeof item === "string") sent.push(item);
    const result = split(items, keyOf);
    if (first) {
      first = false;
      expect(result.failed.length).toBeGreaterThan(0);
      onFirst();
    }
    return result;
  });
  return { sent };
}

const purge = (ns: string) =>
  startJob({
    services: t.h.services,
    user: "tester",
    connectionId: t.h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "doomed/" } },
  });

/** Doomed keys that are gone from the store (no consistency delay in these checks). */
async function deletedSoFar(ns: string) {
  return DOOMED - (await countKeys(t.kv, ns, sql`starts_with(key, 'doomed/')`));
}

/**
 * A stopped job, checked against the store: it counted as succeeded exactly the keys it deleted,
 * nothing failed or skipped, and its checkpoint covers exactly the keys it deleted.
 */
async function expectStoppedExactly(job: JobSnapshot, ns: string) {
  const c = job.counters;
  expect(c.processed).toBe(c.succeeded + c.failed + c.skipped);
  expect(c.failed).toBe(0);
  expect(c.skipped).toBe(0);
  const deleted = await deletedSoFar(ns);
  expect(deleted).toBeGreaterThan(0);
  expect(c.succeeded).toBe(deleted);

  const row = (await t.h.services.jobs.store.get(job.id))!;
  const pipeline = (row.checkpoint as { pipeline: PipelineCheckpoint<string> | null }).pipeline;
  const covered = (key: string) =>
    (pipeline?.after != null && key <= pipeline.after) || (pipeline?.done ?? []).some(([lo, hi]) => key >= lo && key <= hi);
  const coveredKeys = DOOMED_KEYS.filter(covered);
  expect(coveredKeys.length).toBe(row.processed);
  // None of the refused keys is covered: the resume sends them again.
  expect(coveredKeys.filter(refused)).toEqual([]);
  const stillThere = new Set(
    (
      (await t.kv.db.execute(
        sql`select key from local_kv_entries where namespace_id = ${ns} and starts_with(key, 'doomed/')`,
      )) as unknown as { rows: { key: string }[] }
    ).rows.map((r) => r.key),
  );
  expect(coveredKeys.filter((k) => stillThere.has(k))).toEqual([]);
}

test("paused between retry rounds: the deleted keys are counted, and the resume ends exact", async () => {
  const ns = await namespace("pause-between-rounds");
  t.kv.faults.update({ failKeys: REFUSED });
  let jobId = "";
  const { sent } = watchDeletes(() => void pauseJob({ services: t.h.services, jobId }));
  jobId = (await purge(ns)).id;

  const paused = await waitForJob(t.h, jobId, { until: (j) => j.state === "paused" });
  await expectStoppedExactly(paused, ns);
  const sentBefore = new Set(sent);

  t.kv.faults.update({ failKeys: null });
  sent.length = 0;
  await resumeJob({ services: t.h.services, jobId });
  const done = await waitForJob(t.h, jobId);
  expect(done.state).toBe("succeeded");
  expect(done.counters).toMatchObject({ matched: DOOMED, processed: DOOMED, succeeded: DOOMED, failed: 0, skipped: 0 });
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'doomed/')`)).toBe(0);
  expect(await countKeys(t.kv, ns)).toBe(KEPT);
  // The resume sent each key once, only doomed ones, and again only the keys refused before.
  expect(new Set(sent).size).toBe(sent.length);
  expect(sent.filter((k) => !k.startsWith("doomed/"))).toEqual([]);
  expect(sent.filter((k) => sentBefore.has(k) && !refused(k))).toEqual([]);
});

test("cancelled between retry rounds: the keys deleted are the keys counted", async () => {
  const ns = await namespace("cancel-between-rounds");
  t.kv.faults.update({ failKeys: REFUSED });
  let jobId = "";
  watchDeletes(() => void cancelJob({ services: t.h.services, jobId }));
  jobId = (await purge(ns)).id;

  const cancelled = await waitForJob(t.h, jobId);
  expect(cancelled.state).toBe("cancelled");
  expect(cancelled.counters.matched).toBe(cancelled.counters.processed);
  await expectStoppedExactly(cancelled, ns);
});

test("paused between retry rounds while deleted keys are still listed: the resume neither repeats nor double-counts them", async () => {
  const ns = await namespace("pause-between-rounds-delayed");
  t.kv.faults.update({ failKeys: REFUSED });
  let jobId = "";
  const { sent } = watchDeletes(() => void pauseJob({ services: t.h.services, jobId }));
  // Deleted keys stay listed for a while, as on Cloudflare: only the checkpoint tells they are done.
  t.kv.store.consistencyDelayMs = 60_000;
  jobId = (await purge(ns)).id;

  const paused = await waitForJob(t.h, jobId, { until: (j) => j.state === "paused" });
  const c = paused.counters;
  expect(c.processed).toBe(c.succeeded);
  expect(c.succeeded).toBeGreaterThan(0);
  const sentBefore = new Set(sent);

  t.kv.faults.update({ failKeys: null });
  sent.length = 0;
  await resumeJob({ services: t.h.services, jobId });
  const done = await waitForJob(t.h, jobId);
  expect(done.state).toBe("succeeded");
  expect(done.counters).toMatchObject({ matched: DOOMED, processed: DOOMED, succeeded: DOOMED, failed: 0, skipped: 0 });
  expect(sent.filter((k) => sentBefore.has(k) && !refused(k))).toEqual([]);
  expect(new Set([...sentBefore, ...sent]).size).toBe(DOOMED);
});
