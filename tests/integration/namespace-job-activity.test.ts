// A namespace's running job in the namespaces list: real job rows (stored, then published as the
// runner's writes would be) through real JobEvents into the resource cache on PGlite, and read back
// through the namespaces route's own loader. The cache runs on a clock the test moves, so a mark
// that nobody clears is seen to expire.
import type { AppLoadContext } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import type { SessionUser } from "~/auth/roles";
import { ResourceCache } from "~/cache/resource-cache.server";
import { namespaceScope } from "~/cache/scopes";
import type { Job } from "~/db/schema";
import {
  JOB_ACTIVITY_MARGIN_MS,
  type JobActivityMirror,
  jobActivityOpId,
  mirrorJobActivity,
} from "~/features/namespaces/job-activity.server";
import { loadJobActivity, loadNamespaces } from "~/features/namespaces/list.server";
import { JobEvents } from "~/jobs/events.server";
import { loader } from "~/routes/accounts.$connectionId._index";
import { type JobsHarness, startJobs, startPurge } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";
import { listMarks } from "../helpers/marks";

const LEASE_MS = 30_000;
const TTL_MS = LEASE_MS + JOB_ACTIVITY_MARGIN_MS;

let kv: LocalKv;
let h: JobsHarness;
let clock: number;
let cache: ResourceCache;
let events: JobEvents;
let mirror: JobActivityMirror;
let scope: string;
/** What the mirror logged: a write it could not make fails the test. */
let logged: string[];
const admin: SessionUser = { id: 1, username: "admin", role: "admin" };

beforeAll(async () => {
  kv = await startLocalKv();
  // No runner: the test writes the job events itself, in the order a runner would.
  h = await startJobs(kv, { config: { runInProcess: false } });
  scope = namespaceScope(kv.accountId);
});
afterAll(async () => {
  await h.close();
  await kv.close();
});
beforeEach(() => {
  clock = Date.parse("2026-01-01T00:00:00Z");
  cache = new ResourceCache(kv.db, { now: () => clock });
  events = new JobEvents();
  logged = [];
  mirror = mirrorJobActivity({ events, cache, connections: h.services.connections, leaseMs: LEASE_MS, log: (line) => logged.push(line) });
});
afterEach(async () => {
  await mirror.stop();
  expect(logged).toEqual([]);
});

let titles = 0;
const newNamespace = async () => (await kv.store.createNamespace(kv.accountId, `activity-${++titles}`))!.id;

/** A purge of `namespaceId`, stored (queued, nobody runs it); returns its row. */
async function storedPurge(namespaceId: string, options: { dryRun?: boolean; totalEstimate?: number } = {}): Promise<Job> {
  const snapshot = await startPurge(h, namespaceId, { dryRun: options.dryRun, totalEstimate: options.totalEstimate ?? 200 });
  return (await h.jobs.store.get(snapshot.id))!;
}

/** The stored row says running, as a runner's lease would (the list's loader reads it). */
const runInDb = (job: Job) => kv.db.execute(sql`update jobs set state = 'running' where id = ${job.id}`);
/** The namespaces of the account as the list shows them, through this test's cache. */
const listed = async (ns: string) => (await loadNamespaces({ ...h.services, cache }, h.upstream)).find((n) => n.id === ns)!;
/** The namespace carries a live processing mark (one its deadline has not passed). */
const processing = async (ns: string) => {
  const mark = await cache.getOne(scope, ns);
  return mark !== null && mark.status === "processing" && mark.expiresAt > clock;
};

/** Publishes the job as a runner's write of its row would, and waits for the mirror to write it. */
async function publish(row: Job, patch: Partial<Job>) {
  events.publish({ ...row, ...patch, updatedAt: new Date(clock) });
  await mirror.settled();
}

const running = { state: "running", startedAt: new Date("2026-01-01T00:00:00Z") } as const;

test("a running job marks its namespace processing, its stage, message and progress advance, and the mark goes when it ends", async () => {
  const ns = await newNamespace();
  const job = await storedPurge(ns);
  await runInDb(job);

  await publish(job, { ...running, scanned: 1000, matched: 1000, pagesScanned: 1 });
  let mark = await cache.getOne(scope, ns);
  expect(mark).toMatchObject({ opId: jobActivityOpId(job.id), intent: "process", status: "processing", stage: "Purge by rule" });
  // Listing, nothing deleted yet: the amount is not known.
  expect(mark!.progress).toBeNull();
  expect(mark!.message).toBe("Listing: 1 page, 1,000 keys scanned, 1,000 matched");
  expect(mark!.expiresAt).toBe(clock + TTL_MS);
  expect(await processing(ns)).toBe(true);

  clock += 5_000;
  await publish(job, { ...running, scanned: 2000, matched: 2000, pagesScanned: 2, processed: 50, succeeded: 50 });
  mark = await cache.getOne(scope, ns);
  expect(mark!.progress).toBe(0.25);
  expect(mark!.message).toBe("Deleting: 50 of 200 keys (25 %)");
  // Every write pushes the deadline: a job that is still working never looks stalled.
  expect(mark!.expiresAt).toBe(clock + TTL_MS);

  expect((await listed(ns))._meta).toMatchObject({
    status: "processing",
    stage: "Purge by rule",
    progress: 0.25,
    message: "Deleting: 50 of 200 keys (25 %)",
  });

  await publish(job, { state: "succeeded", processed: 200, succeeded: 200, finishedAt: new Date(clock) });
  expect(await cache.getOne(scope, ns)).toBeNull();
  expect((await listMarks(kv.db, scope)).filter((m) => m.status === "processing")).toEqual([]);
});

test("the namespaces route's loader shows the running job on its row, and the row alone", async () => {
  const ns = await newNamespace();
  const other = await newNamespace();
  const job = await storedPurge(ns);
  // The route's loader reads the job's row: it must say running, as the runner's lease would.
  await runInDb(job);
  await publish(job, { ...running, processed: 100, succeeded: 100 });

  const context = { services: { ...h.services, cache }, user: admin } as unknown as AppLoadContext;
  const result = await loader({
    request: new Request(`http://kvdeck.test/accounts/${h.connectionId}`),
    params: { connectionId: String(h.connectionId) },
    context,
  } as never);
  const rows = new Map(result.namespaces.map((n) => [n.id, n]));
  expect(rows.get(ns)?._meta).toMatchObject({ status: "processing", progress: 0.5, message: "Deleting: 100 of 200 keys (50 %)" });
  expect(rows.get(other)?._meta).toBeUndefined();

  await publish(job, { state: "cancelled", finishedAt: new Date(clock) });
  expect(await cache.getOne(scope, ns)).toBeNull();
});

test("the list's refresh reads a running job's mark from the cache and the job store alone, as the loader shows it; null once it stops or expires", async () => {
  const ns = await newNamespace();
  const other = await newNamespace();
  const job = await storedPurge(ns);
  await runInDb(job);
  await publish(job, { ...running, processed: 100, succeeded: 100 });
  // No upstream is passed: the refresh cannot spend the account's request budget.
  const activity = (ids: string[]) => loadJobActivity({ ...h.services, cache }, kv.accountId, ids, clock);

  const answer = await activity([ns, other]);
  expect(answer[ns]).toMatchObject({ status: "processing", opId: jobActivityOpId(job.id), progress: 0.5 });
  expect(answer[other]).toBeNull();
  expect(answer[ns]).toEqual((await listed(ns))._meta);

  clock += TTL_MS;
  expect((await activity([ns]))[ns]).toBeNull();
  clock -= TTL_MS;
  // The stored row no longer says running (a cancel, or a release in another process).
  await kv.db.execute(sql`update jobs set state = 'queued' where id = ${job.id}`);
  expect((await activity([ns]))[ns]).toBeNull();
  await publish(job, { state: "cancelled", finishedAt: new Date(clock) });
});

test("pausing, queueing again (a runner shutting down) and cancelling: the mark stays while it cancels, goes once it stops", async () => {
  const ns = await newNamespace();
  const job = await storedPurge(ns);

  await publish(job, { ...running, processed: 20 });
  expect((await cache.getOne(scope, ns))!.message).toBe("Deleting: 20 of 200 keys (10 %)");
  await publish(job, { state: "paused", processed: 20 });
  expect(await cache.getOne(scope, ns)).toBeNull();

  await publish(job, { ...running, processed: 40 });
  expect((await cache.getOne(scope, ns))!.progress).toBe(0.2);
  await publish(job, { state: "queued", processed: 40 });
  expect(await cache.getOne(scope, ns)).toBeNull();

  await publish(job, { ...running, processed: 60 });
  await publish(job, { state: "cancelling", processed: 80 });
  expect(await cache.getOne(scope, ns)).toMatchObject({ status: "processing", message: "Cancelling · Deleting: 80 of 200 keys (40 %)" });
  await publish(job, { state: "cancelled", processed: 80, finishedAt: new Date(clock) });
  expect(await cache.getOne(scope, ns)).toBeNull();
});

test("a mark nobody clears (its process died) expires by itself a little after the lease; the next runner marks the row again", async () => {
  const ns = await newNamespace();
  const job = await storedPurge(ns);
  await runInDb(job);
  await publish(job, { ...running, processed: 10 });

  clock += TTL_MS - 1;
  expect(await processing(ns)).toBe(true);
  clock += 1;
  expect(await processing(ns)).toBe(false);
  const stalled = await listed(ns);
  expect(stalled._meta).toMatchObject({ status: "error", intent: "process" });
  expect(stalled._meta!.error).toMatch(/^Operation stalled/);

  // A runner takes the job over: its mirror (this one, or another process's) revives the same op's mark.
  await publish(job, { ...running, processed: 30 });
  expect(await cache.getOne(scope, ns)).toMatchObject({ status: "processing", progress: 0.15, error: null });
  expect(await processing(ns)).toBe(true);
  await publish(job, { state: "succeeded", processed: 200, finishedAt: new Date(clock) });
});

test("a mark whose job stopped where nobody mirrored it is removed by the list's loader", async () => {
  const ns = await newNamespace();
  const job = await storedPurge(ns);
  await publish(job, { ...running, processed: 10 });
  // The stored row says queued (as after a cancel, or a runner released it, in another process).
  expect((await listed(ns))._meta).toBeUndefined();
  expect(await cache.getOne(scope, ns)).toBeNull();
});

test("two jobs on one namespace: the first to run shows; the second shows once the first has ended", async () => {
  const ns = await newNamespace();
  const first = await storedPurge(ns);
  const second = await storedPurge(ns, { totalEstimate: 100 });

  await publish(first, { ...running, processed: 20 });
  await publish(second, { ...running, processed: 90 });
  expect(await cache.getOne(scope, ns)).toMatchObject({ opId: jobActivityOpId(first.id), progress: 0.1 });
  await publish(first, { ...running, processed: 40 });
  expect(await cache.getOne(scope, ns)).toMatchObject({ opId: jobActivityOpId(first.id), progress: 0.2 });

  await publish(first, { state: "succeeded", processed: 200, finishedAt: new Date(clock) });
  expect(await cache.getOne(scope, ns)).toBeNull();
  await publish(second, { ...running, processed: 95 });
  expect(await cache.getOne(scope, ns)).toMatchObject({ opId: jobActivityOpId(second.id), progress: 0.95 });

  // The first ending again (a late event) does not take the second's mark away.
  await publish(first, { state: "succeeded", processed: 200, finishedAt: new Date(clock) });
  expect(await cache.getOne(scope, ns)).toMatchObject({ opId: jobActivityOpId(second.id) });
  await publish(second, { state: "failed", processed: 95, error: "boom", finishedAt: new Date(clock) });
  expect(await cache.getOne(scope, ns)).toBeNull();
});

test("another operation's mark on the row (a rename) is left to it; dry runs mark nothing", async () => {
  const ns = await newNamespace();
  await cache.updateInPlace(scope, { id: ns, data: { id: ns, title: "renamed" } }, { opId: "rename-op" });
  const job = await storedPurge(ns);
  await publish(job, { ...running, processed: 10 });
  expect(await cache.getOne(scope, ns)).toMatchObject({ opId: "rename-op", intent: "update", status: "updating" });
  await publish(job, { state: "succeeded", processed: 200, finishedAt: new Date(clock) });
  expect(await cache.getOne(scope, ns)).toMatchObject({ opId: "rename-op" });
  await cache.rollbackOperation("rename-op");

  const other = await newNamespace();
  const dry = await storedPurge(other, { dryRun: true });
  await publish(dry, { ...running, scanned: 1000, matched: 1000 });
  expect(await cache.getOne(scope, other)).toBeNull();
});
