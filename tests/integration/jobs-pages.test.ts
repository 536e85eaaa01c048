// What a person sees of jobs, through the route loaders themselves (and the /live stream's topics
// the tray reads): a namespace's banner finds its own unfinished job however many other jobs are
// unfinished, dry runs stay out of the jobs list, the tray and the banner (they have a list of
// their own), and every job names its namespace by title (its id once the namespace is gone).
import type { AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { SessionUser } from "~/auth/roles";
import { startJob } from "~/jobs/api.server";
import { namespaceKey, namespaceTitle } from "~/jobs/namespace-key";
import type { JobSnapshot } from "~/jobs/types";
import { loader as namespaceLoader } from "~/routes/accounts.$connectionId.namespaces.$namespaceId/route";
import { loader as namespaceJobsLoader } from "~/routes/accounts.$connectionId.namespaces.$namespaceId.jobs";
import { loader as jobPageLoader } from "~/routes/jobs.$jobId";
import { loader as jobsLoader } from "~/routes/jobs._index";
import { createLiveHub } from "~/live/context.server";
import { parseEnv } from "~/utils/env.server";
import type { LiveHub } from "~/live/hub.server";
import { DRY_RUNS_TOPIC, JOBS_TOPIC, type UnfinishedJobs } from "~/live/protocol";
import { type JobsHarness, startJobs, startPurge } from "../helpers/jobs";
import { openLive } from "../helpers/live";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

let kv: LocalKv;
let h: JobsHarness;
let context: AppLoadContext;
let live: LiveHub;
const admin: SessionUser = { id: 1, username: "admin", role: "admin" };

beforeAll(async () => {
  kv = await startLocalKv();
  // No runner: every job stays queued (unfinished) for as long as the test looks at it.
  h = await startJobs(kv, { config: { runInProcess: false } });
  // The settings the pages read (the defaults, as an unconfigured kvdeck has them).
  context = { services: { ...h.services, env: parseEnv({}) }, user: admin } as unknown as AppLoadContext;
  live = createLiveHub(h.services);
});
afterAll(async () => {
  live.close();
  await h.close();
  await kv.close();
});

const purge = (namespaceId: string, prefix: string, dryRun = false) => startPurge(h, namespaceId, { prefix, dryRun });

async function load<T>(loader: (args: never) => Promise<T> | T, url: string, params: Record<string, string> = {}): Promise<T> {
  return loader({ request: new Request(`http://kvdeck.test${url}`), params, context } as never);
}

test("a namespace's banner shows its own unfinished job behind 150 unfinished jobs elsewhere, and no dry run", async () => {
  const here = (await kv.store.createNamespace(kv.accountId, "banner-here"))!.id;
  const elsewhere = (await kv.store.createNamespace(kv.accountId, "banner-elsewhere"))!.id;
  const mine = await purge(here, "old:");
  for (let i = 0; i < 150; i++) await purge(elsewhere, `p${i}:`);
  const dry = await purge(here, "count:", true);

  const loaded = await load(namespaceLoader, `/accounts/${h.connectionId}/namespaces/${here}`, {
    connectionId: String(h.connectionId),
    namespaceId: here,
  });
  expect(loaded.windowRows).toBe(200_000);
  const ids = loaded.activeJobs.map((j: JobSnapshot) => j.id);
  expect(ids).toEqual([mine.id]);
  expect(ids).not.toContain(dry.id);
});

test("the jobs list, the tray and the namespace's jobs keep dry runs apart, and name namespaces by title", async () => {
  const source = (await kv.store.createNamespace(kv.accountId, "Orders (prod)"))!.id;
  const target = (await kv.store.createNamespace(kv.accountId, "Orders backup"))!.id;
  const real = await purge(source, "tmp:");
  const dry = await purge(source, "tmp:", true);
  const copy = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: source,
    kind: "copy",
    payload: { targetNamespaceId: target, onCollision: "skip" },
  });

  const list = await load(jobsLoader, "/jobs");
  const listed = list.jobs.map((j) => j.id);
  expect(listed).toContain(real.id);
  expect(listed).toContain(copy.id);
  expect(listed).not.toContain(dry.id);
  expect(list.jobs.every((j) => !j.dryRun)).toBe(true);
  expect(list.titles[namespaceKey(h.connectionId, source)]).toBe("Orders (prod)");
  expect(list.titles[namespaceKey(h.connectionId, target)]).toBe("Orders backup");

  const dryList = await load(jobsLoader, "/jobs?dryRuns=1");
  expect(dryList.jobs.map((j) => j.id)).toContain(dry.id);
  expect(dryList.jobs.every((j) => j.dryRun)).toBe(true);

  // The tray: the live stream's `jobs` topic; the dry runs list's: `dry-runs`.
  const stream = await openLive({ services: h.services, live, user: admin }, [JOBS_TOPIC, DRY_RUNS_TOPIC]);
  await stream.until((e) => e.event === "ready");
  stream.close();
  const [tray] = stream.updates<UnfinishedJobs>(JOBS_TOPIC);
  expect(tray.jobs.map((j) => j.id)).toContain(real.id);
  expect(tray.jobs.map((j) => j.id)).not.toContain(dry.id);
  expect(tray.titles[namespaceKey(h.connectionId, source)]).toBe("Orders (prod)");
  const [dryRunsNow] = stream.updates<UnfinishedJobs>(DRY_RUNS_TOPIC);
  expect(dryRunsNow.jobs.map((j) => j.id)).toContain(dry.id);
  expect(dryRunsNow.jobs.every((j) => j.dryRun)).toBe(true);

  // The namespace's jobs page is the list kept to that namespace.
  const redirect = (await load(namespaceJobsLoader, `/accounts/${h.connectionId}/namespaces/${source}/jobs`, {
    connectionId: String(h.connectionId),
    namespaceId: source,
  })) as Response;
  expect(redirect.status).toBe(302);
  const scoped = await load(jobsLoader, redirect.headers.get("Location")!);
  expect(scoped.scope).toEqual({ connectionId: h.connectionId, namespaceId: source });
  expect(scoped.jobs.map((j) => j.id).sort()).toEqual([real.id, copy.id].sort());

  const page = await load(jobPageLoader, `/jobs/${copy.id}`, { jobId: copy.id });
  expect(page.titles).toEqual({
    [namespaceKey(h.connectionId, source)]: "Orders (prod)",
    [namespaceKey(h.connectionId, target)]: "Orders backup",
  });
});

test("a job in a namespace created after the titles were read names it by title at once", async () => {
  // The titles, read just now (the jobs list) without the namespace the next job names.
  await load(jobsLoader, "/jobs");
  const fresh = (await kv.store.createNamespace(kv.accountId, "Created just now"))!.id;
  const job = await purge(fresh, "x:");
  const page = await load(jobPageLoader, `/jobs/${job.id}`, { jobId: job.id });
  expect(page.titles[namespaceKey(h.connectionId, fresh)]).toBe("Created just now");
});

test("a job whose namespace is gone is named by its id; a bad filter in the address is a 400", async () => {
  const gone = (await kv.store.createNamespace(kv.accountId, "short-lived"))!.id;
  const job = await purge(gone, "x:");
  await h.upstream.deleteNamespace(gone);
  // A fresh list (the namespace is not in any list read before it was created) without it.
  const page = await load(jobPageLoader, `/jobs/${job.id}`, { jobId: job.id });
  expect(page.titles[namespaceKey(h.connectionId, gone)]).toBeUndefined();
  expect(namespaceTitle(page.titles, h.connectionId, gone)).toBe(gone);

  for (const url of ["/jobs?connection=abc", "/jobs?namespace=x", "/jobs?connection=1&namespace="]) {
    const refused = await load(jobsLoader, url).then(
      () => null,
      (thrown: unknown) => thrown as { init?: { status?: number }; data?: { message?: string } },
    );
    expect(refused?.init?.status, url).toBe(400);
    expect(refused?.data?.message, url).toMatch(/connection/);
  }
});
