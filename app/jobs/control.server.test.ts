// Pause, resume and cancel at any time, dry runs, and watching a job, against the local KV API
// slowed down a little so there is time to act mid-run.
import { sql } from "drizzle-orm";
import { keyMatchesRule } from "~/features/keys/marks.server";
import type { KeyRule } from "~/kv/key-rule";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type JobsHarness, countKeys, seedKeys, startJobs, waitForJob } from "../../tests/helpers/jobs";
import { type LocalKv, startLocalKv } from "../../tests/helpers/local-kv";
import { JobStateError, cancelJob, getJob, pauseJob, resumeJob, startJob, watchJob } from "./api.server";
import type { PipelineCheckpoint } from "./checkpoint";
import type { DryRunResult, JobSnapshot } from "./types";

const KEYS = 40_000;
let kv: LocalKv;
let h: JobsHarness;

beforeAll(async () => {
  kv = await startLocalKv({ faults: { latencyMs: 40 } });
  h = await startJobs(kv, { budget: "2000/10s" });
});
afterAll(async () => {
  await h.close();
  await kv.close();
});

async function namespaceWithKeys(title: string): Promise<string> {
  const ns = (await kv.store.createNamespace(kv.accountId, title))!.id;
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, case when i % 4 = 0 then 'keep/' else 'tmp/' end || lpad(i::text, 6, '0'), convert_to('v' || i, 'UTF8'), null, null
        from generate_series(1, ${KEYS}) i`,
  );
  return ns;
}
const purge = (ns: string, dryRun = false) =>
  startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "tmp/" } },
    dryRun,
  });

function expectCountersAddUp(job: JobSnapshot) {
  const c = job.counters;
  expect(c.processed).toBe(c.succeeded + c.failed + c.skipped);
  expect(c.matched).toBeGreaterThanOrEqual(c.processed);
}

/** The keys namespaceWithKeys() puts under tmp/, in key order. */
const TMP_KEYS = Array.from({ length: KEYS }, (_, i) => i + 1)
  .filter((i) => i % 4 !== 0)
  .map((i) => `tmp/${String(i).padStart(6, "0")}`);

/**
 * A stopped job's row as stored, checked for exactness: nobody holds it, and its checkpoint
 * accounts for exactly the keys its counters say were processed (a resume neither repeats nor
 * skips a key).
 */
async function expectStoppedExactly(jobId: string) {
  const row = (await h.services.jobs.store.get(jobId))!;
  expect(row.leaseOwner).toBeNull();
  expect(row.leaseExpiresAt).toBeNull();
  const pipeline = (row.checkpoint as { pipeline: PipelineCheckpoint<string> | null }).pipeline;
  const done = (key: string) =>
    (pipeline?.after != null && key <= pipeline.after) || (pipeline?.done ?? []).some(([lo, hi]) => key >= lo && key <= hi);
  expect(TMP_KEYS.filter(done).length).toBe(row.processed);
  return row;
}

/**
 * Pauses a purge mid-run through `steer` (this process, or another one that does not run it) and
 * checks that from the first snapshot that says `paused`, nothing about the job moves any more.
 */
async function pauseMidRun(title: string, steer: { services: JobsHarness["services"] }) {
  const ns = await namespaceWithKeys(title);
  const job = await purge(ns);
  await waitForJob(h, job.id, { until: (j) => j.counters.succeeded >= 10_000 });
  const asked = await pauseJob({ services: steer.services, jobId: job.id });
  // Until its runner has stopped, the job says it is running and that a pause is on its way.
  if (asked.state !== "paused") expect(asked).toMatchObject({ state: "running", pauseRequested: true });
  const paused = await waitForJob(h, job.id, { until: (j) => j.state === "paused" });
  expect(paused.rate).toBeNull();
  expect(paused.pauseRequested).toBe(false);
  const row = await expectStoppedExactly(job.id);
  // Its runner has let go: nothing moves any more, not even the row's timestamp.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const still = (await getJob({ services: h.services, jobId: job.id }))!;
  expect(still.counters).toEqual(paused.counters);
  expect(still.requestsUsed).toBe(paused.requestsUsed);
  expect(still.updatedAt).toBe(paused.updatedAt);
  expect(still.state).toBe("paused");
  expect((await h.services.jobs.store.get(job.id))!.checkpoint).toEqual(row.checkpoint);
  expectCountersAddUp(still);
  expect(still.counters.succeeded).toBeLessThan(30_000);
  expect(await countKeys(kv, ns, sql`key like 'tmp/%'`)).toBe(30_000 - still.counters.succeeded);

  await resumeJob({ services: steer.services, jobId: job.id });
  const done = await waitForJob(h, job.id);
  expect(done.state).toBe("succeeded");
  expect(done.counters).toMatchObject({ matched: 30_000, processed: 30_000, succeeded: 30_000, failed: 0, skipped: 0 });
  expect(await countKeys(kv, ns, sql`key like 'tmp/%'`)).toBe(0);
  expect(await countKeys(kv, ns)).toBe(10_000);
}

describe("pause and resume", () => {
  test("a paused job stops between batches, keeps exact counters, and resumes to the end", async () => {
    await pauseMidRun("pause", h);
  });

  test("the same, paused from another process (the runner hears of it on its tick)", async () => {
    const other = await startJobs(kv, { config: { runInProcess: false } });
    try {
      await pauseMidRun("pause-elsewhere", other);
    } finally {
      await other.close();
    }
  });

  test("a pause withdrawn by a resume before the job stopped: it runs to the end, exactly", async () => {
    const ns = await namespaceWithKeys("pause-resume");
    const job = await purge(ns);
    await waitForJob(h, job.id, { until: (j) => j.counters.succeeded >= 10_000 });
    await pauseJob({ services: h.services, jobId: job.id });
    const resumed = await resumeJob({ services: h.services, jobId: job.id });
    expect(resumed.pauseRequested).toBe(false);
    const done = await waitForJob(h, job.id);
    expect(done.state).toBe("succeeded");
    expect(done.counters).toMatchObject({ matched: 30_000, processed: 30_000, succeeded: 30_000, failed: 0, skipped: 0 });
    expect(await countKeys(kv, ns, sql`key like 'tmp/%'`)).toBe(0);
  });

  test("a finished job can be neither paused nor resumed", async () => {
    const ns = (await kv.store.createNamespace(kv.accountId, "finished"))!.id;
    const job = await purge(ns);
    await waitForJob(h, job.id);
    await expect(pauseJob({ services: h.services, jobId: job.id })).rejects.toBeInstanceOf(JobStateError);
    await expect(resumeJob({ services: h.services, jobId: job.id })).rejects.toBeInstanceOf(JobStateError);
  });
});

describe("cancel", () => {
  test("a running job cancelled mid-run ends with counters that add up and nothing deleted after it", async () => {
    const ns = await namespaceWithKeys("cancel");
    const job = await purge(ns);
    await waitForJob(h, job.id, { until: (j) => j.counters.succeeded >= 10_000 });
    await cancelJob({ services: h.services, jobId: job.id });
    const cancelled = await waitForJob(h, job.id);
    expect(cancelled.state).toBe("cancelled");
    expect(cancelled.counters.matched).toBe(cancelled.counters.processed);
    expectCountersAddUp(cancelled);
    expect(cancelled.finishedAt).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing moves once it says cancelled.
    const still = (await getJob({ services: h.services, jobId: job.id }))!;
    expect(still.counters).toEqual(cancelled.counters);
    expect(still.requestsUsed).toBe(cancelled.requestsUsed);
    expect(still.updatedAt).toBe(cancelled.updatedAt);
    await expectStoppedExactly(job.id);
    expect(await countKeys(kv, ns, sql`key like 'tmp/%'`)).toBe(30_000 - cancelled.counters.succeeded);
    // The purge's rule overlay no longer hides the keys it did not delete: it is narrowed to the
    // keys it is done with (which stay hidden while the upstream catches up).
    const rules = await h.services.cache.rules<KeyRule>(`${kv.accountId}/${ns}`);
    expect(rules.every((rule) => rule.done !== undefined)).toBe(true);
    const left = (await kv.db.execute(
      sql`select key from local_kv_entries where namespace_id = ${ns} and key like 'tmp/%' order by key`,
    )) as unknown as { rows: { key: string }[] };
    expect(left.rows.length).toBe(30_000 - cancelled.counters.succeeded);
    expect(left.rows.filter((r) => rules.some((rule) => keyMatchesRule({ name: r.key }, rule)))).toEqual([]);
  });

  test("a queued or paused job nobody runs is cancelled at once", async () => {
    const idle = await startJobs(kv, { config: { runInProcess: false } });
    try {
      const ns = (await kv.store.createNamespace(kv.accountId, "queued"))!.id;
      const job = await startJob({
        services: idle.services,
        user: null,
        connectionId: idle.connectionId,
        namespaceId: ns,
        kind: "purge",
        payload: { rule: { prefix: "x" } },
      });
      expect(job.state).toBe("queued");
      const cancelled = await cancelJob({ services: idle.services, jobId: job.id });
      expect(cancelled.state).toBe("cancelled");
      await expect(cancelJob({ services: idle.services, jobId: job.id })).rejects.toBeInstanceOf(JobStateError);
    } finally {
      await idle.close();
    }
  });
});

describe("dry run", () => {
  test("counts exactly, samples the first keys, estimates requests, and deletes nothing", async () => {
    const ns = await namespaceWithKeys("dry");
    const job = await purge(ns, true);
    const done = await waitForJob(h, job.id);
    expect(done.state).toBe("succeeded");
    const dry = (done.result as { dryRun: DryRunResult }).dryRun;
    expect(dry.matched).toBe(30_000);
    expect(dry.sample).toHaveLength(20);
    expect(dry.sample[0]).toBe("tmp/000001");
    // A purge's dry run is a plan: applying it takes the 3 bulk deletes and the recycle copy's
    // 300 bulk gets (one per 100 keys), no listing; a re-check would list again (30 list pages
    // under the prefix, and retries of the budget's 429s).
    expect(dry.estimate.requests).toBe(3 + 300);
    expect(dry.plan!.recheckRequests).toBeGreaterThanOrEqual(30);
    expect(dry.plan!.recheckRequests).toBeLessThan(37);
    expect(dry.estimate.budget).toBe("2000/10s");
    expect(await countKeys(kv, ns)).toBe(KEYS);
  });
});

describe("watchJob", () => {
  test("yields snapshots at least once a second and ends with the final one", async () => {
    const ns = await namespaceWithKeys("watch");
    const job = await purge(ns);
    const seen: JobSnapshot[] = [];
    const times: number[] = [];
    for await (const snapshot of watchJob({ services: h.services, jobId: job.id })) {
      seen.push(snapshot);
      times.push(Date.now());
    }
    expect(seen[seen.length - 1].state).toBe("succeeded");
    expect(seen.length).toBeGreaterThan(2);
    // A snapshot at least every WATCH_POLL_MS (750 ms) of quiet; the bound leaves room for a loaded
    // machine's late timers, not for a watch that waits on the job to change.
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeLessThan(5_000);
    expect(seen.some((s) => s.state === "running" && s.counters.processed > 0 && s.counters.processed < 30_000)).toBe(true);
  });
});

describe("pause, then cancel before the job has stopped", () => {
  test("the cancel wins", async () => {
    const ns = await namespaceWithKeys("pause-cancel");
    const job = await purge(ns);
    await waitForJob(h, job.id, { until: (j) => j.counters.succeeded >= 10_000 });
    await pauseJob({ services: h.services, jobId: job.id });
    await cancelJob({ services: h.services, jobId: job.id });
    const done = await waitForJob(h, job.id);
    expect(done.state).toBe("cancelled");
    expect(done.counters.matched).toBe(done.counters.processed);
  });
});
