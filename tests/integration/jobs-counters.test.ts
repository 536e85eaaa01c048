// The counters a person reads: across a pause and a resume (with an upstream that keeps listing
// deleted keys for a while, so the resumed listing re-reads pages the first run had counted),
// every published snapshot has scanned and pages that never go back, scanned ≥ matched ≥
// processed = succeeded + failed + skipped, and the final numbers are exact. While the job lists,
// the scan itself is published (pages, keys scanned, matched) before any key is processed; at the
// end the average rate over the running time is stored.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { pauseJob, resumeJob, startJob } from "~/jobs/api.server";
import type { JobSnapshot } from "~/jobs/types";
import { type JobsHarness, seedKeys, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const KEYS = 40_000;
const TAGGED = KEYS / 2;

let kv: LocalKv;
let h: JobsHarness;

beforeAll(async () => {
  kv = await startLocalKv({ consistencyDelayMs: 10_000, faults: { latencyMs: 20 } });
  h = await startJobs(kv);
});
afterAll(async () => {
  await h.close();
  await kv.close();
});

/** Every snapshot the job publishes in this process, in order. */
function record(jobId: string): { snapshots: JobSnapshot[]; stop: () => void } {
  const snapshots: JobSnapshot[] = [];
  const stop = h.jobs.events.subscribe(jobId, (snapshot) => snapshots.push(snapshot));
  return { snapshots, stop };
}

/** Checks every snapshot of a run; returns the problems found (empty when none). */
function counterProblems(snapshots: JobSnapshot[]): string[] {
  const problems: string[] = [];
  let previous: JobSnapshot | null = null;
  for (const s of snapshots) {
    const c = s.counters;
    const at = `${s.state} ${JSON.stringify(c)} pages ${s.pagesScanned}`;
    if (c.processed !== c.succeeded + c.failed + c.skipped) problems.push(`processed ≠ succeeded + failed + skipped: ${at}`);
    if (c.matched < c.processed) problems.push(`matched < processed: ${at}`);
    if (c.scanned < c.matched) problems.push(`scanned < matched: ${at}`);
    if (previous && c.scanned < previous.counters.scanned) problems.push(`scanned went back from ${previous.counters.scanned}: ${at}`);
    if (previous && s.pagesScanned < previous.pagesScanned) problems.push(`pages went back from ${previous.pagesScanned}: ${at}`);
    previous = s;
  }
  return problems;
}

test("pause then resume mid-purge: counters never go back, always add up, and end exact", async () => {
  const ns = (await kv.store.createNamespace(kv.accountId, "pause-resume-counters"))!.id;
  // Every other key carries the tag the purge selects: scanned runs well ahead of matched.
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'k/' || lpad(i::text, 6, '0'), convert_to('v', 'UTF8'), case when i % 2 = 0 then '{"tag":"old"}' else '{"tag":"new"}' end, null::bigint
        from generate_series(1, ${KEYS}) i`,
  );
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { metadata: [{ field: "tag", op: "equals", value: "old" }] } },
  });
  const { snapshots, stop } = record(job.id);
  try {
    await waitForJob(h, job.id, { until: (j) => j.counters.succeeded >= 10_000 });
    await pauseJob({ services: h.services, jobId: job.id });
    const paused = await waitForJob(h, job.id, { until: (j) => j.state === "paused" || j.state === "succeeded" });
    expect(paused.state).toBe("paused");
    expect(paused.counters.succeeded).toBeLessThan(TAGGED);
    await resumeJob({ services: h.services, jobId: job.id });
    const done = await waitForJob(h, job.id);

    expect(done.state).toBe("succeeded");
    expect(done.counters).toEqual({ scanned: KEYS, matched: TAGGED, processed: TAGGED, succeeded: TAGGED, failed: 0, skipped: 0 });
    // 1,000 keys a page; the pages the resumed run read again are not counted twice.
    expect(done.pagesScanned).toBe(KEYS / 1000);
    expect(done.runningMs).toBeGreaterThan(0);
    expect(done.averageRate).toBeCloseTo((TAGGED * 1000) / done.runningMs, 6);
    expect(snapshots.some((s) => s.state === "paused")).toBe(true);
    expect(counterProblems([...snapshots, done])).toEqual([]);
  } finally {
    stop();
  }
});

test("the listing is published as it goes: pages and keys scanned move page by page, and the final average is stored", async () => {
  const ns = (await kv.store.createNamespace(kv.accountId, "listing-progress"))!.id;
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'k/' || lpad(i::text, 6, '0'), convert_to('v', 'UTF8'), null::text, null::bigint from generate_series(1, ${KEYS}) i`,
  );
  // A dry run lists everything and processes nothing for real: the whole job is the scan.
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "k/" } },
    dryRun: true,
  });
  const { snapshots, stop } = record(job.id);
  try {
    const done = await waitForJob(h, job.id);
    expect(done.state).toBe("succeeded");
    expect(done.pagesScanned).toBe(KEYS / 1000);
    const running = snapshots.filter((s) => s.state === "running");
    // Snapshots published while the listing had read part of the namespace, with its pages.
    const partial = running.filter((s) => s.pagesScanned > 0 && s.pagesScanned < KEYS / 1000);
    expect(partial.length).toBeGreaterThan(1);
    for (const s of partial) expect(s.counters.scanned).toBe(s.pagesScanned * 1000);
    expect(counterProblems([...snapshots, done])).toEqual([]);
    expect(done.averageRate).not.toBeNull();
  } finally {
    stop();
  }
});
