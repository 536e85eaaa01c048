// Leases: two runners never hold the same job, a lapsed lease is taken over, a runner that lost
// its lease can no longer write; cancel is immediate only when no live runner holds the job.
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
  store.insert({ id: crypto.randomUUID(), kind: "purge", connectionId: 1, namespaceId: "ns", payload: { rule: { prefix: "a" } }, createdAt });
const live = { scanned: 0, matched: 0, rate: null, requestsUsed: 0, totalEstimate: null, phase: null };

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
  expect(await store.checkpoint(job.id, "old", 30_000, { counters: { processed: 9, succeeded: 9, failed: 0, skipped: 0 }, checkpoint: {}, live }, [])).toBeNull();
  expect(await store.checkpoint(job.id, "new", 30_000, { counters: { processed: 5, succeeded: 5, failed: 0, skipped: 0 }, checkpoint: { at: 5 }, live }, [{ key: "k", error: "e" }])).toMatchObject({ processed: 5 });
  expect(await store.countErrors(job.id)).toBe(1);
});

test("cancel: immediate without a live runner, `cancelling` while one holds the job", async () => {
  const idle = await addJob();
  expect(await store.requestCancel(idle.id)).toMatchObject({ state: "cancelled" });
  const held = await addJob();
  await store.lease("runner", 30_000);
  expect(await store.requestCancel(held.id)).toMatchObject({ state: "cancelling", finishedAt: null });
  expect(await store.finish(held.id, "runner", { state: "cancelled" })).toMatchObject({ state: "cancelled", leaseOwner: null });
});

test("pause then resume while the runner still holds the job: released back to the queue", async () => {
  const job = await addJob();
  await store.lease("runner", 30_000);
  expect(await store.requestPause(job.id)).toMatchObject({ state: "paused" });
  expect(await store.requestResume(job.id)).toMatchObject({ state: "queued" });
  expect(await store.lease("other", 30_000)).toBeNull(); // still held
  expect(await store.release(job.id, "runner")).toMatchObject({ state: "queued", leaseOwner: null });
  expect(await store.lease("other", 30_000)).toMatchObject({ id: job.id, state: "running" });
});
