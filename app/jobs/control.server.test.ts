// Pause, resume and cancel at any time, dry runs, and watching a job, against the local KV API
// slowed down a little so there is time to act mid-run.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type JobsHarness, countKeys, seedKeys, startJobs, waitForJob } from "../../tests/helpers/jobs";
import { type LocalKv, startLocalKv } from "../../tests/helpers/local-kv";
import { JobStateError, cancelJob, getJob, pauseJob, resumeJob, startJob, watchJob } from "./api.server";
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
  startJob({ services: h.services, user: "tester", connectionId: h.connectionId, namespaceId: ns, kind: "purge", payload: { rule: { prefix: "tmp/" } }, dryRun });

function expectCountersAddUp(job: JobSnapshot) {
  const c = job.counters;
  expect(c.processed).toBe(c.succeeded + c.failed + c.skipped);
  expect(c.matched).toBeGreaterThanOrEqual(c.processed);
}

describe("pause and resume", () => {
  test("a paused job stops between batches, keeps exact counters, and resumes to the end", async () => {
    const ns = await namespaceWithKeys("pause");
    const job = await purge(ns);
    await waitForJob(h, job.id, { until: (j) => j.counters.succeeded >= 10_000 });
    await pauseJob({ services: h.services, jobId: job.id });
    const paused = await waitForJob(h, job.id, { until: (j) => j.state === "paused" && j.rate === null });
    // Its runner has let go: nothing moves any more.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const still = (await getJob({ services: h.services, jobId: job.id }))!;
    expect(still.counters).toEqual(paused.counters);
    expect(still.requestsUsed).toBe(paused.requestsUsed);
    expectCountersAddUp(still);
    expect(still.counters.succeeded).toBeLessThan(30_000);
    expect(await countKeys(kv, ns, sql`key like 'tmp/%'`)).toBe(30_000 - still.counters.succeeded);

    await resumeJob({ services: h.services, jobId: job.id });
    const done = await waitForJob(h, job.id);
    expect(done.state).toBe("succeeded");
    expect(done.counters).toMatchObject({ matched: 30_000, processed: 30_000, succeeded: 30_000, failed: 0, skipped: 0 });
    expect(await countKeys(kv, ns, sql`key like 'tmp/%'`)).toBe(0);
    expect(await countKeys(kv, ns)).toBe(10_000);
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
    expect(await countKeys(kv, ns, sql`key like 'tmp/%'`)).toBe(30_000 - cancelled.counters.succeeded);
    // The purge's rule overlay is gone: the keys it did not delete show again.
    expect(await h.services.cache.rules(`${kv.accountId}/${ns}`)).toEqual([]);
  });

  test("a queued or paused job nobody runs is cancelled at once", async () => {
    const idle = await startJobs(kv, { config: { runInProcess: false } });
    try {
      const ns = (await kv.store.createNamespace(kv.accountId, "queued"))!.id;
      const job = await startJob({ services: idle.services, user: null, connectionId: idle.connectionId, namespaceId: ns, kind: "purge", payload: { rule: { prefix: "x" } } });
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
    // 30 list pages under the prefix, 3 bulk deletes.
    expect(dry.estimate.requests).toBeGreaterThanOrEqual(33);
    expect(dry.estimate.requests).toBeLessThan(40);
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
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeLessThan(1_500);
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
