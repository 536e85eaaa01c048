// Plans, then apply (docs/decisions/019-plans.md): a purge's dry run records the exact matching
// keys; applying it deletes exactly those with bulk requests and no second listing, on the local KV
// API. Keys created after the plan stay (and go with the re-check); a pause part-way through the
// apply resumes to exactly the plan; a plan is applied once, and only to its own namespace and rule.
import { sql } from "drizzle-orm";
import { afterEach, expect, test, vi } from "vitest";
import type { AppLoadContext } from "@remix-run/node";
import { catalogRefreshedWarning } from "~/components/jobs/plan-warnings";
import { loadJobPage } from "~/features/jobs/job-page.server";
import { loadKeyPage } from "~/features/keys/page.server";
import { JobInputError, cancelJob, listJobErrors, pauseJob, planKeysNdjson, resumeJob, startJob } from "~/jobs/api.server";
import type { JobSnapshot, PlanApplyResult, PlanResult } from "~/jobs/types";
import { countKeys, seedKeys, useJobsOnLocalKv, waitForJob, startIndex } from "../helpers/jobs";

const t = useJobsOnLocalKv();

afterEach(() => {
  t.kv.faults.reset();
  t.kv.store.consistencyDelayMs = 0;
});

const RULE = { prefix: "old/" };

/** A namespace with `planned` keys under old/ and `kept` keys elsewhere (some sharing part of the prefix). */
async function namespace(title: string, planned: number, kept = 2_000): Promise<string> {
  const ns = (await t.kv.store.createNamespace(t.kv.accountId, title))!.id;
  await seedKeys(
    t.kv,
    ns,
    sql`select ${ns}, 'old/' || lpad(i::text, 7, '0'), convert_to('v' || i, 'UTF8'), null::text, null::bigint from generate_series(1, ${planned}) i
        union all select ${ns}, (array['old', 'olden/', 'new/', 'Old/'])[1 + i % 4] || lpad(i::text, 7, '0'), convert_to('k' || i, 'UTF8'), null, null
        from generate_series(1, ${kept}) i`,
  );
  return ns;
}

/** Keys created behind the plan's back: matching the rule, sorted among the planned ones. */
async function addLater(ns: string, count: number) {
  await seedKeys(
    t.kv,
    ns,
    sql`select ${ns}, 'old/' || lpad(i::text, 7, '0') || '-late', convert_to('late', 'UTF8'), null::text, null::bigint from generate_series(1, ${count}) i`,
  );
}

const start = (ns: string, payload: Record<string, unknown>, dryRun = false) =>
  startJob({ services: t.h.services, user: "tester", connectionId: t.h.connectionId, namespaceId: ns, kind: "purge", payload, dryRun });

async function makePlan(ns: string, rule: Record<string, unknown> = RULE): Promise<JobSnapshot> {
  const plan = await waitForJob(t.h, (await start(ns, { rule }, true)).id);
  expect(plan.state).toBe("succeeded");
  return plan;
}

/** Upstream requests the local KV API served for `ns`: list pages and bulk deletes. */
function countRequests(ns: string) {
  const counts = { lists: 0, deletes: 0 };
  const list = t.kv.store.listKeys.bind(t.kv.store);
  vi.spyOn(t.kv.store, "listKeys").mockImplementation((namespaceId, options) => {
    if (namespaceId === ns) counts.lists++;
    return list(namespaceId, options);
  });
  const del = t.kv.store.delete.bind(t.kv.store);
  vi.spyOn(t.kv.store, "delete").mockImplementation((namespaceId, keys) => {
    if (namespaceId === ns) counts.deletes++;
    return del(namespaceId, keys);
  });
  return counts;
}

/** Every key a bulk delete carried. */
function recordDeletes(onFirst?: () => void): string[] {
  const sent: string[] = [];
  const split = t.kv.faults.splitBulk.bind(t.kv.faults);
  vi.spyOn(t.kv.faults, "splitBulk").mockImplementation(<T>(items: T[], keyOf: (item: T) => string) => {
    const first = sent.length === 0;
    for (const item of items) if (typeof item === "string") sent.push(item);
    if (first) onFirst?.();
    return split(items, keyOf);
  });
  return sent;
}

async function keysOf(ns: string): Promise<Set<string>> {
  const result = (await t.kv.db.execute(sql`select key from local_kv_entries where namespace_id = ${ns}`)) as unknown as {
    rows: { key: string }[];
  };
  return new Set(result.rows.map((r) => r.key));
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

test("a plan records the exact keys; applying it deletes exactly those, in ceil(N/1000) list + ceil(N/10000) bulk deletes + ceil(N/100) bulk gets (the recycle copy), and keys added since stay", async () => {
  const N = 25_000;
  const ns = await namespace("plan-apply", N);
  const before = await keysOf(ns);
  const counts = countRequests(ns);

  const plan = await makePlan(ns);
  const result = plan.result as PlanResult;
  expect(result.dryRun.matched).toBe(N);
  expect(result.dryRun.sample.slice(0, 2)).toEqual(["old/0000001", "old/0000002"]);
  // The apply lists nothing: only its bulk deletes and the recycle copy's bulk gets; a re-check would list again.
  expect(result.dryRun.estimate.requests).toBe(Math.ceil(N / 10_000) + Math.ceil(N / 100));
  expect(result.dryRun.plan).toEqual({ recheckRequests: Math.ceil(N / 1000) });
  expect(counts).toEqual({ lists: Math.ceil(N / 1000), deletes: 0 });
  expect(plan.requestsUsed).toBe(Math.ceil(N / 1000));
  expect(await t.h.jobs.store.keys.count(plan.id, "planned")).toBe(N);
  // The download holds the same keys, in order.
  const lines = (await text(planKeysNdjson({ services: t.h.services, jobId: plan.id }))).trim().split("\n");
  expect(lines.map((line) => (JSON.parse(line) as { key: string }).key)).toEqual([...before].filter((k) => k.startsWith("old/")).sort());

  await addLater(ns, 500);
  const sent = recordDeletes();
  const applied = await waitForJob(t.h, (await start(ns, { rule: RULE, plan: plan.id })).id);
  expect(applied.state).toBe("succeeded");
  expect(applied.counters).toMatchObject({ matched: N, processed: N, succeeded: N, failed: 0, skipped: 0 });
  expect(applied.requestsUsed).toBe(Math.ceil(N / 10_000) + Math.ceil(N / 100));
  expect(applied.result).toEqual({ plan: plan.id, recheck: false } satisfies PlanApplyResult);
  expect(await t.h.jobs.deps.recycle.deletion(applied.id)).toMatchObject({ keys: N, operation: "purge" });
  // In all: one listing and the bulk deletes.
  expect(counts).toEqual({ lists: Math.ceil(N / 1000), deletes: Math.ceil(N / 10_000) });

  expect(new Set(sent).size).toBe(N);
  expect(sent.every((k) => /^old\/\d{7}$/.test(k))).toBe(true);
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'old/') and not key like '%-late'`)).toBe(0);
  expect(await countKeys(t.kv, ns, sql`key like 'old/%-late'`)).toBe(500);
  expect(await countKeys(t.kv, ns)).toBe(2_000 + 500);

  const marked = (await t.h.jobs.store.get(plan.id))!.result as PlanResult;
  expect(marked.appliedBy).toBe(applied.id);
  expect(marked.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test("with re-check, keys that match and were created after the plan go too, and nothing else", async () => {
  const N = 12_000;
  const ns = await namespace("plan-recheck", N);
  const plan = await makePlan(ns);
  await addLater(ns, 1_500);
  const sent = recordDeletes();

  const applied = await waitForJob(t.h, (await start(ns, { rule: RULE, plan: plan.id, recheck: true })).id);
  expect(applied.state).toBe("succeeded");
  expect(applied.result).toEqual({ plan: plan.id, recheck: true, added: 1_500 } satisfies PlanApplyResult);
  expect(applied.counters).toMatchObject({ succeeded: N + 1_500, failed: 0 });
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'old/')`)).toBe(0);
  expect(await countKeys(t.kv, ns)).toBe(2_000);
  expect(sent.filter((k) => !k.startsWith("old/"))).toEqual([]);
  expect(new Set(sent).size).toBe(N + 1_500);
});

test("an apply paused part-way and resumed deletes exactly the plan", async () => {
  const N = 60_000;
  const ns = await namespace("plan-pause", N);
  const plan = await makePlan(ns);
  const planned = new Set([...(await keysOf(ns))].filter((k) => k.startsWith("old/")));
  expect(planned.size).toBe(N);

  // The first bulk delete goes through; the next ones wait at the server until the runner has seen
  // the pause (it publishes the row with the request), so the job stops part-way whatever its pace.
  t.kv.faults.update({ holdBulkDeletesAfter: 1 });
  let applyId = "";
  const sent = recordDeletes(() => void pauseJob({ services: t.h.services, jobId: applyId }));
  applyId = (await start(ns, { rule: RULE, plan: plan.id })).id;
  const seen = new Promise<void>((resolve) => {
    const stop = t.h.jobs.events.subscribe(applyId, (job) => {
      if (job.pauseRequested) {
        stop();
        resolve();
      }
    });
  });
  await seen;
  t.kv.faults.update({ holdBulkDeletesAfter: null });
  const paused = await waitForJob(t.h, applyId, { until: (j) => j.state === "paused" });
  t.kv.faults.reset();
  expect(paused.counters.succeeded).toBeGreaterThan(0);
  expect(paused.counters.succeeded).toBeLessThan(N);
  expect(N - (await countKeys(t.kv, ns, sql`starts_with(key, 'old/')`))).toBe(paused.counters.succeeded);

  // Keys created while it is paused are not in the plan: they stay.
  await addLater(ns, 300);
  await resumeJob({ services: t.h.services, jobId: applyId });
  const done = await waitForJob(t.h, applyId);
  expect(done.state).toBe("succeeded");
  expect(done.counters).toMatchObject({ matched: N, processed: N, succeeded: N, failed: 0, skipped: 0 });
  expect(sent.filter((k) => !planned.has(k))).toEqual([]);
  expect(new Set(sent).size).toBe(N);
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'old/')`)).toBe(300);
  expect(await countKeys(t.kv, ns, sql`key like 'old/%-late'`)).toBe(300);
  expect(await countKeys(t.kv, ns)).toBe(2_000 + 300);
});

test("an apply the upstream partly refuses: the refused keys are in its error report, exactly the rest go, and its resume lists nothing and sends only what is left", async () => {
  const N = 25_000;
  const ns = await namespace("plan-refused", N);
  const plan = await makePlan(ns);
  const planned = new Set([...(await keysOf(ns))].filter((k) => k.startsWith("old/")));
  // One planned key in a thousand is refused by every bulk delete (unsuccessful_keys): every batch holds some.
  const REFUSED = "^old/\\d{4}007$";
  const refused = [...planned].filter((k) => new RegExp(REFUSED).test(k)).sort();
  expect(refused.length).toBe(N / 1000);
  await addLater(ns, 200);
  const counts = countRequests(ns);

  // The pause is asked for when the first bulk delete reaches the server: it lands while the
  // engine waits to send that request's refused keys again, so the job stops part-way.
  t.kv.faults.update({ failKeys: REFUSED });
  let applyId = "";
  const sent = recordDeletes(() => void pauseJob({ services: t.h.services, jobId: applyId }));
  applyId = (await start(ns, { rule: RULE, plan: plan.id })).id;
  const paused = await waitForJob(t.h, applyId, { until: (j) => j.state === "paused" });
  expect(paused.counters.succeeded).toBeGreaterThan(0);
  expect(paused.counters.succeeded).toBeLessThan(N - refused.length);
  expect(N - (await countKeys(t.kv, ns, sql`starts_with(key, 'old/') and not key like '%-late'`))).toBe(paused.counters.succeeded);
  const sentBefore = new Set(sent);
  const deletedBefore = [...planned].filter((k) => !refused.includes(k) && sentBefore.has(k));

  // The resume, the keys still refused: it reads the rest of the plan, lists nothing, and sends
  // again only keys it has not deleted yet.
  const resumedAt = sent.length;
  await resumeJob({ services: t.h.services, jobId: applyId });
  const done = await waitForJob(t.h, applyId);
  expect(done.state).toBe("succeeded");
  expect(done.counters).toMatchObject({ matched: N, processed: N, succeeded: N - refused.length, failed: refused.length, skipped: 0 });
  expect(done.result).toEqual({ plan: plan.id, recheck: false } satisfies PlanApplyResult);
  expect(counts.lists).toBe(0);
  expect(sent.filter((k) => !planned.has(k))).toEqual([]);
  const deleted = new Set(deletedBefore);
  expect(sent.slice(resumedAt).filter((k) => deleted.has(k))).toEqual([]);

  const { errors, total } = await listJobErrors({ services: t.h.services, jobId: applyId, limit: 1000 });
  expect(total).toBe(refused.length);
  expect(errors.map((e) => e.key).sort()).toEqual(refused);
  expect(errors.every((e) => /unsuccessful/.test(e.error))).toBe(true);

  // Exactly the rest of the plan is gone: the refused keys, the later keys and the others stay.
  const left = await keysOf(ns);
  expect([...planned].filter((k) => left.has(k)).sort()).toEqual(refused);
  expect(await countKeys(t.kv, ns, sql`key like 'old/%-late'`)).toBe(200);
  expect(await countKeys(t.kv, ns)).toBe(2_000 + 200 + refused.length);
});

test("a plan is applied once, only to its namespace and rule; other ids are refused with a clear message", async () => {
  const ns = await namespace("plan-refusals", 1_500);
  const other = await namespace("plan-refusals-other", 100);
  const plan = await makePlan(ns);
  const refused = (payload: Record<string, unknown>, namespaceId = ns, dryRun = false) =>
    start(namespaceId, payload, dryRun).then(
      () => expect.unreachable("the start was accepted"),
      (error: unknown) => {
        expect(error).toBeInstanceOf(JobInputError);
        return (error as Error).message;
      },
    );

  expect(await refused({ rule: RULE, plan: plan.id }, other)).toBe(`The plan ${plan.id} was made for another namespace: make a plan here.`);
  expect(await refused({ rule: { prefix: "olden/" }, plan: plan.id })).toBe(
    `The plan ${plan.id} was made for another rule (prefix “old/”).`,
  );
  expect(await refused({ rule: RULE, plan: plan.id }, ns, true)).toBe("A plan is applied by a real purge, not by another dry run.");
  expect(await refused({ rule: RULE, recheck: true })).toBe("Re-check applies to a plan: choose the plan to apply.");
  const missing = "00000000-0000-4000-8000-000000000000";
  expect(await refused({ rule: RULE, plan: missing })).toBe(`There is no plan ${missing}.`);
  expect(await refused({ rule: RULE, plan: "not-a-job" })).toBe("A plan is named by its job id.");

  // A real purge (of the other namespace) is not a plan.
  const purge = await waitForJob(t.h, (await start(other, { rule: RULE })).id);
  expect(await refused({ rule: RULE, plan: purge.id }, other)).toBe(`Job ${purge.id} is not a plan: a plan is a purge's dry run.`);

  const applied = await waitForJob(t.h, (await start(ns, { rule: RULE, plan: plan.id })).id);
  expect(applied.state).toBe("succeeded");
  expect(await refused({ rule: RULE, plan: plan.id })).toBe(`This plan was already applied by job ${applied.id}.`);

  // Two applies started at once: one claims the plan, the other is refused.
  const second = await makePlan(other);
  const both = await Promise.allSettled([start(other, { rule: RULE, plan: second.id }), start(other, { rule: RULE, plan: second.id })]);
  const won = both.filter((r) => r.status === "fulfilled");
  expect(won).toHaveLength(1);
  const lost = both.find((r) => r.status === "rejected") as PromiseRejectedResult;
  expect(lost.reason).toBeInstanceOf(JobInputError);
  const winner = (won[0] as PromiseFulfilledResult<JobSnapshot>).value;
  expect((lost.reason as Error).message).toBe(`This plan was already applied by job ${winner.id}.`);
  expect((await waitForJob(t.h, winner.id)).state).toBe("succeeded");
});

test("an apply cancelled part-way keeps hidden exactly the keys it deleted while the upstream still lists them", async () => {
  const N = 60_000;
  const ns = await namespace("plan-cancel", N);
  const plan = await makePlan(ns);
  // Deleted keys stay listed for a minute, as on Cloudflare: only the overlay hides them.
  t.kv.store.consistencyDelayMs = 60_000;
  t.kv.faults.update({ holdBulkDeletesAfter: 1 });
  let applyId = "";
  recordDeletes(() => void cancelJob({ services: t.h.services, jobId: applyId }));
  applyId = (await start(ns, { rule: RULE, plan: plan.id })).id;
  await new Promise<void>((resolve) => {
    const stop = t.h.jobs.events.subscribe(applyId, (job) => {
      if (job.state === "cancelling" || job.state === "cancelled") {
        stop();
        resolve();
      }
    });
  });
  t.kv.faults.update({ holdBulkDeletesAfter: null });
  const cancelled = await waitForJob(t.h, applyId);
  expect(cancelled.state).toBe("cancelled");

  const pending = (await t.kv.db.execute(
    sql`select key from local_kv_pending where namespace_id = ${ns} and value is null order by key`,
  )) as unknown as { rows: { key: string }[] };
  const deleted = new Set(pending.rows.map((r) => r.key));
  expect(deleted.size).toBe(cancelled.counters.succeeded);
  expect(deleted.size).toBeGreaterThan(0);
  expect(deleted.size).toBeLessThan(N);

  const shown: string[] = [];
  let hidden = 0;
  let cursor = "";
  let after: string | null = null;
  do {
    const page = await loadKeyPage(t.h.services.cache, t.h.upstream, {
      accountId: t.kv.accountId,
      namespaceId: ns,
      prefix: "",
      cursor,
      after,
    });
    shown.push(...page.keys.map((k) => k.name));
    hidden += page.hidden;
    cursor = page.cursor;
    after = page.pageEnd;
  } while (cursor);
  expect(hidden).toBe(deleted.size);
  expect(shown.filter((k) => deleted.has(k))).toEqual([]);
  expect(shown.length).toBe(N + 2_000 - deleted.size);
});

test("bulk expiry: a plan, then its apply rewrites exactly the planned keys, reading them from the plan with no listing", async () => {
  const N = 5_000;
  const ns = await namespace("plan-expiry", N);
  const expiration = Math.floor(Date.now() / 1000) + 86_400;
  const expiry = (payload: Record<string, unknown>, dryRun = false) =>
    startJob({
      services: t.h.services,
      user: "tester",
      connectionId: t.h.connectionId,
      namespaceId: ns,
      kind: "bulk-expiry",
      payload: { rule: RULE, expiration, ...payload },
      dryRun,
    });
  const plan = await waitForJob(t.h, (await expiry({}, true)).id);
  expect(plan.state).toBe("succeeded");
  const result = plan.result as PlanResult;
  expect(result.dryRun.matched).toBe(N);
  // 100 keys a bulk read, 2,000 a bulk write; no listing.
  expect(result.dryRun.estimate.requests).toBe(N / 100 + Math.ceil(N / 2000));
  expect(await t.h.jobs.store.keys.count(plan.id, "planned")).toBe(N);

  await expect(expiry({ plan: plan.id, expiration: expiration + 60 })).rejects.toThrow(`The plan ${plan.id} was made for another expiry.`);
  await expect(
    startJob({
      services: t.h.services,
      user: "tester",
      connectionId: t.h.connectionId,
      namespaceId: ns,
      kind: "purge",
      payload: { rule: RULE, plan: plan.id },
    }),
  ).rejects.toThrow(`Job ${plan.id} is not a plan: a plan is a purge's dry run.`);

  await addLater(ns, 200);
  const counts = countRequests(ns);
  const applied = await waitForJob(t.h, (await expiry({ plan: plan.id })).id);
  expect(applied.state).toBe("succeeded");
  expect(applied.counters).toMatchObject({ matched: N, processed: N, succeeded: N, failed: 0, skipped: 0 });
  expect(applied.result).toEqual({ plan: plan.id, recheck: false } satisfies PlanApplyResult);
  expect(counts.lists).toBe(0);
  expect(applied.requestsUsed).toBe(N / 100 + Math.ceil(N / 2000));
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'old/') and not key like '%-late' and expiration = ${expiration}`)).toBe(N);
  expect(await countKeys(t.kv, ns, sql`expiration is not null`)).toBe(N);
  expect(((await t.h.jobs.store.get(plan.id))!.result as PlanResult).appliedBy).toBe(applied.id);
});

test("a plan made from the catalog lists nothing; its apply deletes exactly the catalog's matching keys, and the catalog follows", async () => {
  const N = 3_000;
  const ns = await namespace("plan-catalog", N, 500);
  // Without a catalog, a plan from it is refused before anything is stored.
  await expect(start(ns, { rule: RULE, source: "catalog" }, true)).rejects.toThrow(/no catalog: index it first/);
  const indexed = await waitForJob(t.h, (await startIndex(t.h, ns)).id);
  expect(indexed.state).toBe("succeeded");
  // Only a dry run is made from the catalog.
  await expect(start(ns, { rule: RULE, source: "catalog" })).rejects.toThrow(/Only a plan \(a dry run\) is made from the catalog/);

  const counts = countRequests(ns);
  const plan = await waitForJob(t.h, (await start(ns, { rule: RULE, source: "catalog" }, true)).id);
  expect(plan.state).toBe("succeeded");
  const result = (plan.result as PlanResult).dryRun;
  expect(result.matched).toBe(N);
  expect(result.plan?.fromCatalog?.asOf).toMatch(/^\d{4}-\d\d-\d\dT/);
  // A re-check would list the keys under the prefix: N of them, 1,000 a page.
  expect(result.plan?.recheckRequests).toBe(Math.ceil(N / 1000));
  expect(counts).toEqual({ lists: 0, deletes: 0 });
  expect(plan.requestsUsed).toBe(0);
  expect(await t.h.jobs.store.keys.count(plan.id, "planned")).toBe(N);

  const applied = await waitForJob(t.h, (await start(ns, { rule: RULE, plan: plan.id })).id);
  expect(applied.state).toBe("succeeded");
  expect(applied.counters).toMatchObject({ succeeded: N, failed: 0 });
  expect(counts).toEqual({ lists: 0, deletes: Math.ceil(N / 10_000) });
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'old/')`)).toBe(0);
  expect(await countKeys(t.kv, ns)).toBe(500);
  const catalog = await t.h.services.connections.catalog.get(t.h.connectionId, ns);
  expect(catalog?.keyCount).toBe(500);
});

test("a plan's page warns once the catalog it was made from was refreshed after it, and not before", async () => {
  const ns = await namespace("plan-catalog-refreshed", 20, 5);
  expect((await waitForJob(t.h, (await startIndex(t.h, ns)).id)).state).toBe("succeeded");
  const plan = await waitForJob(t.h, (await start(ns, { rule: RULE, source: "catalog" }, true)).id);
  const made = (plan.result as PlanResult).dryRun.plan;
  const context = { services: t.h.services, user: { id: 1, username: "tester", role: "admin" } } as unknown as AppLoadContext;

  const before = await loadJobPage(context, plan.id);
  expect(before.catalogListing?.asOf).toBe(made?.fromCatalog?.asOf);
  expect(catalogRefreshedWarning(made, before.catalogListing)).toBeNull();

  // A refresh begins after the plan was made and finishes: the plan no longer holds what the catalog knows.
  expect((await waitForJob(t.h, (await startIndex(t.h, ns)).id)).state).toBe("succeeded");
  const after = await loadJobPage(context, plan.id);
  expect(Date.parse(after.catalogListing!.asOf)).toBeGreaterThan(Date.parse(made!.fromCatalog!.asOf!));
  expect(catalogRefreshedWarning(made, after.catalogListing)).toMatch(
    /^The catalog was refreshed at \d{4}-\d\d-\d\d \d\d:\d\d UTC after this plan was made;/,
  );

  // A plan from a live listing carries no catalog on its page.
  const live = await waitForJob(t.h, (await start(ns, { rule: RULE }, true)).id);
  expect((await loadJobPage(context, live.id)).catalogListing).toBeNull();
});

test("copy and move plans: applying one handles exactly the planned keys with no listing of the source; re-check adds keys created since", async () => {
  const N = 1_500;
  const ns = await namespace("plan-copy-source", N, 500);
  const newTarget = async (title: string) => (await t.kv.store.createNamespace(t.kv.accountId, title))!.id;
  const copyTo = await newTarget("plan-copy-target");
  const copyJob = (kind: "copy" | "move", payload: Record<string, unknown>, dryRun = false) =>
    startJob({ services: t.h.services, user: "tester", connectionId: t.h.connectionId, namespaceId: ns, kind, payload, dryRun });

  const copyPlan = await waitForJob(t.h, (await copyJob("copy", { rule: RULE, targetNamespaceId: copyTo }, true)).id);
  expect(copyPlan.state).toBe("succeeded");
  expect((copyPlan.result as PlanResult).dryRun).toMatchObject({ matched: N, plan: { recheckRequests: Math.ceil(N / 1000) } });
  expect(await countKeys(t.kv, copyTo)).toBe(0);
  await addLater(ns, 30);

  // Another target, or another choice for keys that exist there, is another plan.
  const elsewhere = await newTarget("plan-copy-elsewhere");
  await expect(copyJob("copy", { rule: RULE, targetNamespaceId: elsewhere, plan: copyPlan.id })).rejects.toThrow(
    /was made for another target or another choice for keys that exist there/,
  );
  await expect(copyJob("copy", { rule: RULE, targetNamespaceId: copyTo, onCollision: "skip", plan: copyPlan.id })).rejects.toThrow(
    /was made for another target/,
  );

  const counts = countRequests(ns);
  const copied = await waitForJob(t.h, (await copyJob("copy", { rule: RULE, targetNamespaceId: copyTo, plan: copyPlan.id })).id);
  expect(copied.state).toBe("succeeded");
  expect(copied.counters).toMatchObject({ succeeded: N, failed: 0 });
  expect(counts.lists).toBe(0);
  expect(await countKeys(t.kv, copyTo)).toBe(N);
  expect(await countKeys(t.kv, copyTo, sql`key like '%-late'`)).toBe(0);
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'old/')`)).toBe(N + 30);
  await expect(copyJob("copy", { rule: RULE, targetNamespaceId: copyTo, plan: copyPlan.id })).rejects.toThrow(
    new RegExp(`already applied by job ${copied.id}`),
  );

  // A plan that keeps the keys the target has: applying it lists the target again (1,500 keys: 2
  // pages), besides ceil(1,530/100) reads and ceil(1,530/2,000) writes; a re-check lists the rule.
  const skipPlan = await waitForJob(t.h, (await copyJob("copy", { rule: RULE, targetNamespaceId: copyTo, onCollision: "skip" }, true)).id);
  expect((skipPlan.result as PlanResult).dryRun).toMatchObject({
    matched: N + 30,
    collisions: N,
    estimate: { requests: 2 + Math.ceil((N + 30) / 100) + 1 },
    plan: { recheckRequests: 2 },
  });

  // A copy of every key (no rule) is planned and applied the same way.
  const allTo = await newTarget("plan-copy-all");
  const allPlan = await waitForJob(t.h, (await copyJob("copy", { targetNamespaceId: allTo }, true)).id);
  expect((allPlan.result as PlanResult).dryRun.matched).toBe(N + 30 + 500);
  const all = await waitForJob(t.h, (await copyJob("copy", { targetNamespaceId: allTo, plan: allPlan.id })).id);
  expect(all.state).toBe("succeeded");
  expect(await countKeys(t.kv, allTo)).toBe(N + 30 + 500);

  // A move plan with re-check: the planned keys, then the 30 created after the plan; the rest stay.
  const moveTo = await newTarget("plan-move-target");
  const movePlan = await waitForJob(t.h, (await copyJob("move", { rule: RULE, targetNamespaceId: moveTo }, true)).id);
  expect((movePlan.result as PlanResult).dryRun.matched).toBe(N + 30);
  await seedKeys(
    t.kv,
    ns,
    sql`select ${ns}, 'old/' || lpad(i::text, 7, '0') || '-later', convert_to('later', 'UTF8'), null::text, null::bigint from generate_series(1, 7) i`,
  );
  const moved = await waitForJob(
    t.h,
    (await copyJob("move", { rule: RULE, targetNamespaceId: moveTo, plan: movePlan.id, recheck: true })).id,
  );
  expect(moved.state).toBe("succeeded");
  expect(moved.result).toMatchObject({ plan: movePlan.id, recheck: true, added: 7 } satisfies PlanApplyResult);
  expect(await countKeys(t.kv, moveTo)).toBe(N + 37);
  expect(await countKeys(t.kv, ns, sql`starts_with(key, 'old/')`)).toBe(0);
  expect(await countKeys(t.kv, ns)).toBe(500);
});
