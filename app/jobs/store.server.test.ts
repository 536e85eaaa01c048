// Leases: two runners never hold the same job, a lapsed lease is taken over, a runner that lost
// its lease can no longer write; pause and cancel are immediate only when no live runner holds the
// job, and once a row says paused or cancelled no runner can write to it any more.
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { JobStore } from "./store.server";

let database: TestDatabase;
let store: JobStore;

beforeAll(async () => {
  database = await openTestDatabase();
  store = new JobStore(database.db);
});
afterAll(() => database.close());
beforeEach(async () => {
  await database.db.execute(sql`delete from jobs`);
});

const addJob = (createdAt = new Date()) =>
  store.insert({
    id: crypto.randomUUID(),
    kind: "purge",
    connectionId: 1,
    namespaceId: "ns",
    payload: { rule: { prefix: "a" } },
    createdAt,
  });
const live = { scanned: 0, matched: 0, pagesScanned: 0, runningMs: 0, rate: null, requestsUsed: 0, totalEstimate: null, phase: null };

test("concurrent leases hand out each queued job once, oldest first", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await addJob(new Date(Date.now() - 10_000 + i))).id);
  const leased = await Promise.all(Array.from({ length: 8 }, (_, i) => store.lease(`runner-${i}`, 30_000)));
  const got = leased.filter((j) => j !== null).map((j) => j!.id);
  expect(got.sort()).toEqual([...ids].sort());
  expect(leased.filter((j) => j === null)).toHaveLength(3);
  const first = leased.find((j) => j?.id === ids[0])!;
  expect(first).toMatchObject({ state: "running", attempts: 1 });
  expect(first.startedAt).not.toBeNull();
});

test("a lapsed lease is taken over; the old holder can no longer write", async () => {
  const job = await addJob();
  expect((await store.lease("old", 30_000))!.id).toBe(job.id);
  expect(await store.lease("new", 30_000)).toBeNull(); // held and alive
  await database.db.execute(sql`update jobs set lease_expires_at = now() - interval '1 second' where id = ${job.id}`);
  const taken = await store.lease("new", 30_000);
  expect(taken).toMatchObject({ id: job.id, leaseOwner: "new", attempts: 2, state: "running" });
  expect(await store.tick(job.id, "old", 30_000, live)).toBeNull();
  expect(
    await store.checkpoint(
      job.id,
      "old",
      30_000,
      { counters: { processed: 9, succeeded: 9, failed: 0, skipped: 0 }, checkpoint: {}, live },
      [],
    ),
  ).toBeNull();
  expect(
    await store.checkpoint(
      job.id,
      "new",
      30_000,
      { counters: { processed: 5, succeeded: 5, failed: 0, skipped: 0 }, checkpoint: { at: 5 }, live },
      [{ key: "k", error: "e" }],
    ),
  ).toMatchObject({ processed: 5 });
  expect(await store.errors.count(job.id)).toBe(1);
});

test("cancel: immediate without a live runner, `cancelling` while one holds the job", async () => {
  const idle = await addJob();
  expect(await store.requestCancel(idle.id)).toMatchObject({ state: "cancelled" });
  const held = await addJob();
  await store.lease("runner", 30_000);
  expect(await store.requestCancel(held.id)).toMatchObject({ state: "cancelling", finishedAt: null });
  expect(await store.finish(held.id, "runner", { state: "cancelled" })).toMatchObject({ state: "cancelled", leaseOwner: null });
});

const counters = (n: number) => ({ processed: n, succeeded: n, failed: 0, skipped: 0 });

test("pause: immediate without a live runner; while one holds the job, a request until the runner lets go", async () => {
  const idle = await addJob();
  expect(await store.requestPause(idle.id)).toMatchObject({ state: "paused", leaseOwner: null });

  const job = await addJob();
  await store.lease("runner", 30_000);
  const asked = (await store.requestPause(job.id))!;
  expect(asked).toMatchObject({ state: "running", leaseOwner: "runner" });
  expect(asked.pauseRequested).toBe(true);
  expect(await store.requestPause(job.id)).toMatchObject({ state: "running" }); // asking twice is fine
  // The runner's writes while it finishes its batches keep the request (and the row running).
  await store.tick(job.id, "runner", 30_000, { ...live, scanned: 7, rate: 3 });
  const saved = (await store.checkpoint(
    job.id,
    "runner",
    30_000,
    { counters: counters(5), checkpoint: { at: 5 }, live: { ...live, scanned: 7, rate: 3 } },
    [],
  ))!;
  expect(saved).toMatchObject({ state: "running", processed: 5 });
  expect(saved.pauseRequested).toBe(true);
  // Its last write says paused, and lets go.
  const released = (await store.release(job.id, "runner", { ...live, scanned: 8 }))!;
  expect(released).toMatchObject({
    state: "paused",
    leaseOwner: null,
    leaseExpiresAt: null,
    rate: null,
    scanned: 8,
    processed: 5,
    checkpoint: { at: 5 },
  });
  expect(released.pauseRequested).toBe(false);
  expect(await store.tick(job.id, "runner", 30_000, live)).toBeNull();
  expect(await store.checkpoint(job.id, "runner", 30_000, { counters: counters(9), checkpoint: { at: 9 }, live }, [])).toBeNull();
  expect(await store.get(job.id)).toMatchObject({ state: "paused", processed: 5, scanned: 8, checkpoint: { at: 5 } });
  expect(await store.lease("other", 30_000)).toBeNull();
  expect(await store.requestResume(job.id)).toMatchObject({ state: "queued" });
  expect(await store.lease("other", 30_000)).toMatchObject({ id: job.id, state: "running", checkpoint: { at: 5 } });
});

test("a pause withdrawn by a resume before the runner stopped: it carries on, or goes back to the queue", async () => {
  const job = await addJob();
  await store.lease("runner", 30_000);
  await store.requestPause(job.id);
  const resumed = (await store.requestResume(job.id))!;
  expect(resumed).toMatchObject({ state: "running", leaseOwner: "runner" });
  expect(resumed.pauseRequested).toBe(false);
  expect(await store.requestResume(job.id)).toBeNull(); // nothing left to resume
  expect(await store.lease("other", 30_000)).toBeNull(); // still held
  expect(await store.release(job.id, "runner")).toMatchObject({ state: "queued", leaseOwner: null });
  expect(await store.lease("other", 30_000)).toMatchObject({ id: job.id, state: "running" });
});

test("a cancel after a pause request wins; the runner's last write says cancelled", async () => {
  const job = await addJob();
  await store.lease("runner", 30_000);
  await store.requestPause(job.id);
  const cancelling = (await store.requestCancel(job.id))!;
  expect(cancelling).toMatchObject({ state: "cancelling" });
  expect(cancelling.pauseRequested).toBe(false);
  expect(await store.finish(job.id, "runner", { state: "cancelled" })).toMatchObject({ state: "cancelled", leaseOwner: null });
  expect(await store.tick(job.id, "runner", 30_000, live)).toBeNull();
});

test("a runner whose lease lapsed (stalled, not dead) cannot write once a request said paused or cancelled", async () => {
  const lapse = (id: string) => database.db.execute(sql`update jobs set lease_expires_at = now() - interval '1 second' where id = ${id}`);
  for (const request of ["pause", "cancel"] as const) {
    await database.db.execute(sql`delete from jobs`);
    const job = await addJob();
    await store.lease("stalled", 30_000);
    await store.checkpoint(job.id, "stalled", 30_000, { counters: counters(5), checkpoint: { at: 5 }, live }, []);
    await lapse(job.id);
    const row = request === "pause" ? await store.requestPause(job.id) : await store.requestCancel(job.id);
    expect(row).toMatchObject({ state: request === "pause" ? "paused" : "cancelled", leaseOwner: null, leaseExpiresAt: null });
    expect(await store.tick(job.id, "stalled", 30_000, { ...live, scanned: 99 })).toBeNull();
    expect(
      await store.checkpoint(job.id, "stalled", 30_000, { counters: counters(9), checkpoint: { at: 9 }, live }, [{ key: "k", error: "e" }]),
    ).toBeNull();
    expect(await store.release(job.id, "stalled", { ...live, scanned: 99 })).toBeNull();
    expect(await store.finish(job.id, "stalled", { state: "cancelled" })).toBeNull();
    expect(await store.get(job.id)).toMatchObject({ processed: 5, scanned: 0, checkpoint: { at: 5 }, updatedAt: row!.updatedAt });
    expect(await store.errors.count(job.id)).toBe(0);
    expect(await store.lease("other", 30_000)).toBeNull();
  }
});

test("a job whose runner died while pausing is taken over paused, from its last checkpoint", async () => {
  const job = await addJob();
  await store.lease("dead", 30_000);
  await store.checkpoint(job.id, "dead", 30_000, { counters: counters(5), checkpoint: { at: 5 }, live }, []);
  await store.requestPause(job.id);
  await database.db.execute(sql`update jobs set lease_expires_at = now() - interval '1 second' where id = ${job.id}`);
  const taken = (await store.lease("next", 30_000))!;
  expect(taken.pauseRequested).toBe(true);
  const released = (await store.release(job.id, "next"))!;
  expect(released).toMatchObject({ state: "paused", leaseOwner: null, processed: 5, checkpoint: { at: 5 } });
});

test("batches in flight: written ahead compactly, read back whole, removed by the checkpoint that counts them", async () => {
  const job = await addJob();
  await store.lease("r", 30_000);
  const odd = ["a\nb", "ключ", "\u0001".repeat(512), "x".repeat(512), "z"];
  const big = Array.from({ length: 10_000 }, (_, i) => `doomed/${String(i).padStart(6, "0")}`);
  await store.inflight.add(job.id, "r", 0, big);
  await store.inflight.add(job.id, "r", 10_000, odd);
  await store.inflight.add(job.id, "other", 20_000, ["nope"]); // not the lease holder: nothing written
  const rows = (await database.db.execute(sql`select count(*)::float8 as n from job_inflight where job_id = ${job.id}`)) as unknown as {
    rows: { n: number }[];
  };
  expect(rows.rows[0].n).toBeLessThan(300);
  const batches = await store.inflight.batches(job.id);
  expect([...batches.keys()]).toEqual([0, 10_000]);
  expect(batches.get(0)).toEqual(big);
  expect(batches.get(10_000)).toEqual(odd);
  const counters = { processed: 0, succeeded: 0, failed: 0, skipped: 0 };
  await store.checkpoint(job.id, "r", 30_000, { counters, checkpoint: {}, live }, [], { batches: [0] });
  expect([...(await store.inflight.batches(job.id)).keys()]).toEqual([10_000]);
  await store.inflight.clear(job.id);
  expect((await store.inflight.batches(job.id)).size).toBe(0);
});
