// The one live stream (/live) against real services: the route's own loader over a LiveHub built on
// a real jobs service (runner on), the resource cache and the job store on PGlite, and the local KV
// API, whose fault holds keep a purge part-way for as long as a test looks at it. Each stream sends
// every topic's state first, then updates as the job runs, and heartbeat events; topics the user
// may not watch are refused (as the routes they replace refused them); however many streams watch
// a topic, one producer serves them.
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { SessionUser } from "~/auth/roles";
import type { OverlayMeta } from "~/cache/types";
import { jobActivityOpId } from "~/features/namespaces/job-activity.server";
import { namespaceKey } from "~/jobs/namespace-key";
import type { JobSnapshot } from "~/jobs/types";
import { createLiveHub } from "~/live/context.server";
import type { LiveHub } from "~/live/hub.server";
import { JOBS_TOPIC, MAX_TOPICS, type UnfinishedJobs, jobTopic, namespaceTopic } from "~/live/protocol";
import { type JobsHarness, seedKeys, startJobs, startPurge } from "../helpers/jobs";
import { type LiveContext, type LiveEvent, type LiveReader, liveQuery, openLive, requestLive } from "../helpers/live";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const HEARTBEAT_MS = 100;
const admin: SessionUser = { id: 1, username: "admin", role: "admin" };

let kv: LocalKv;
let h: JobsHarness;
let hub: LiveHub;
let context: LiveContext;
const readers: LiveReader[] = [];

beforeAll(async () => {
  kv = await startLocalKv();
  h = await startJobs(kv);
  // A short heartbeat so a test sees one soon; producers stop at once when their last stream goes.
  hub = createLiveHub(h.services, { heartbeatMs: HEARTBEAT_MS, lingerMs: 0 });
  context = { services: h.services, live: hub, user: admin };
});
afterEach(() => {
  kv.setFaults({ holdBulkDeletesAfter: null, holdListsAfter: null });
  for (const reader of readers.splice(0)) reader.close();
});
afterAll(async () => {
  hub.close();
  await h.close();
  await kv.close();
});

const open = async (topics: string[], background: string[] = []) => {
  const reader = await openLive(context, topics, background);
  readers.push(reader);
  return reader;
};
const isUpdate =
  (topic: string, match: (data: never) => boolean = () => true) =>
  (e: LiveEvent): e is Extract<LiveEvent, { event: "update" }> =>
    e.event === "update" && e.data.topic === topic && match(e.data.data as never);

async function namespaceWithKeys(title: string, keys: number) {
  const id = (await kv.store.createNamespace(kv.accountId, title))!.id;
  await seedKeys(
    kv,
    id,
    sql`select ${id}, 'tmp:' || lpad(i::text, 6, '0'), convert_to('x', 'UTF8'), null, null from generate_series(0, ${keys - 1}) as i`,
  );
  return id;
}
// No recycle copy: these purges stand on held bulk deletes, and a copy's reads before each batch
// would let a later batch's delete reach the hold first.
const purge = (namespaceId: string, dryRun = false) =>
  startPurge(h, namespaceId, { dryRun, totalEstimate: dryRun ? null : 25_000, recycle: "skip" });

test("a stream sends each topic's state first, then the job's progress as it runs to its end, the namespace's mark, and heartbeat events", async () => {
  const ns = await namespaceWithKeys("live-purge", 25_000);
  // The first bulk delete (10,000 keys) goes through; the second waits until the hold is lifted.
  kv.setFaults({ holdBulkDeletesAfter: 1 });
  const job = await purge(ns);
  const topics = [jobTopic(job.id), JOBS_TOPIC, namespaceTopic(h.connectionId, ns)];
  const live = await open(topics);

  // hello, then each topic's current state, then ready: a stream opened is a resync.
  const hello = await live.until((e) => e.event === "hello");
  expect(hello.data).toEqual({ heartbeatMs: HEARTBEAT_MS, backgroundMs: 10_000 });
  const ready = await live.until((e) => e.event === "ready");
  const beforeReady = live.events.slice(0, live.events.indexOf(ready));
  for (const topic of topics) expect(beforeReady.some(isUpdate(topic)), topic).toBe(true);
  expect(beforeReady[0].event).toBe("hello");
  expect(live.updates<JobSnapshot>(jobTopic(job.id))[0]).toMatchObject({ id: job.id, kind: "purge" });
  const tray = (await live.until(isUpdate(JOBS_TOPIC, (d: UnfinishedJobs) => d.jobs.some((j) => j.id === job.id)))).data
    .data as UnfinishedJobs;
  expect(tray.titles[namespaceKey(h.connectionId, ns)]).toBe("live-purge");

  // Part-way: the first batch is done, the job still runs, its namespace shows it processing.
  await live.until(isUpdate(jobTopic(job.id), (j: JobSnapshot) => j.state === "running" && j.counters.succeeded >= 10_000));
  const mark = await live.until(isUpdate(namespaceTopic(h.connectionId, ns), (m: OverlayMeta | null) => m?.status === "processing"));
  expect(mark.data.data).toMatchObject({ opId: jobActivityOpId(job.id), stage: "Purge by rule" });

  kv.setFaults({ holdBulkDeletesAfter: null });
  await live.until(isUpdate(jobTopic(job.id), (j: JobSnapshot) => j.state === "succeeded"));
  const snapshots = live.updates<JobSnapshot>(jobTopic(job.id));
  expect(snapshots.at(-1)!.counters).toMatchObject({ succeeded: 25_000, failed: 0 });
  // Several distinct states on the way, never going back.
  expect(snapshots.length).toBeGreaterThanOrEqual(3);
  const processed = snapshots.map((s) => s.counters.processed);
  expect(processed).toEqual([...processed].sort((a, b) => a - b));

  // Once it has ended: gone from the unfinished jobs, its namespace's mark gone.
  await live.until(isUpdate(JOBS_TOPIC, (d: UnfinishedJobs) => !d.jobs.some((j) => j.id === job.id)));
  await live.until(isUpdate(namespaceTopic(h.connectionId, ns), (m: OverlayMeta | null) => m === null));
  const heartbeat = await live.until((e) => e.event === "heartbeat");
  expect(Date.parse(heartbeat.data.at)).not.toBeNaN();
});

test("topics the user may not watch are refused one by one, as their routes refused them; the rest stream", async () => {
  const live = await open([jobTopic("no-such-job"), namespaceTopic(987_654, "x"), "namespace:abc/x", "everything", JOBS_TOPIC]);
  await live.until((e) => e.event === "ready");
  const refused = live.events.flatMap((e) => (e.event === "refused" ? [e.data] : []));
  expect(refused).toEqual([
    { topic: jobTopic("no-such-job"), status: 404, message: "There is no such job." },
    { topic: namespaceTopic(987_654, "x"), status: 404, message: "There is no such account in kvdeck." },
    { topic: "namespace:abc/x", status: 400, message: "kvdeck has no such live topic." },
    { topic: "everything", status: 400, message: "kvdeck has no such live topic." },
  ]);
  expect(live.updates(JOBS_TOPIC)).toHaveLength(1);
  expect(hub.stats().producers).not.toHaveProperty(jobTopic("no-such-job"));

  // Nobody signed in: 401, like every route behind the gate. No topic, or too many: 400.
  const anonymous = await requestLive({ ...context, user: null }, liveQuery([JOBS_TOPIC]));
  expect(anonymous.status).toBe(401);
  const tooMany = await requestLive(context, liveQuery(Array.from({ length: MAX_TOPICS + 1 }, (_, i) => jobTopic(`j${i}`))));
  expect(tooMany.status).toBe(400);
  const none = await requestLive(context, liveQuery([]));
  expect(none.status).toBe(400);
  expect(((await none.json()) as { message: string }).message).toBe("Ask for at least one topic (topic=…).");
});

test("twenty streams on one job are one producer; it stops with the last stream and starts again with the next", async () => {
  const ns = await namespaceWithKeys("live-shared", 25_000);
  kv.setFaults({ holdBulkDeletesAfter: 1 });
  const job = await purge(ns);
  const topic = jobTopic(job.id);
  const streams = await Promise.all(Array.from({ length: 20 }, () => open([topic, JOBS_TOPIC])));
  await Promise.all(streams.map((s) => s.until((e) => e.event === "ready")));
  expect(hub.stats()).toMatchObject({ streams: 20, producers: { [topic]: 20, [JOBS_TOPIC]: 20 } });
  expect(hub.stats().started[topic]).toBe(1);

  // Every stream hears the same progress.
  await Promise.all(streams.map((s) => s.until(isUpdate(topic, (j: JobSnapshot) => j.counters.succeeded >= 10_000))));
  for (const stream of streams) stream.close();
  await Promise.all(streams.map((s) => s.ended));
  await expect.poll(() => hub.stats().producers).not.toHaveProperty(topic);
  expect(hub.stats().streams).toBe(0);

  const again = await open([topic]);
  await again.until(isUpdate(topic));
  expect(hub.stats().started[topic]).toBe(2);
});

test("a background topic gets its state at once; closing the hub (the process shutting down) ends every open stream", async () => {
  const closing = createLiveHub(h.services, { heartbeatMs: HEARTBEAT_MS });
  const reader = await openLive({ ...context, live: closing }, [JOBS_TOPIC], [JOBS_TOPIC]);
  readers.push(reader);
  await reader.until(isUpdate(JOBS_TOPIC));
  await reader.until((e) => e.event === "ready");
  closing.close();
  await reader.ended;
  expect(closing.stats()).toMatchObject({ streams: 0, producers: {} });
  // A stream asked for after the hub closed ends at once.
  const late = await openLive({ ...context, live: closing }, [JOBS_TOPIC]);
  await late.ended;
  expect(late.events).toEqual([]);
});
