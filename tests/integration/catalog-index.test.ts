// The namespace catalog against the local KV API and real PGlite (or PostgreSQL): an index job
// under a request budget and injected faults holds exactly what the upstream lists (odd names,
// metadata, expirations); a paused and resumed index equals it too; a refresh finds what was added
// and removed behind kvdeck's back; a catalog past the cap stops with a message that says so.
import { sql } from "drizzle-orm";
import { afterEach, expect, test } from "vitest";
import { readFigures } from "~/catalog/figures.server";
import type { PrefixLevel } from "~/catalog/prefixes.server";
import { catalogStats, catalogVersion } from "~/catalog/stats.server";
import type { CatalogEntry } from "~/catalog/store.server";
import { cancelJob, pauseJob, resumeJob, startJob } from "~/jobs/api.server";
import type { KeyInfo } from "~/kv/upstream.server";
import { nowSeconds } from "~/utils/time";
import { seedKeys, useJobsOnLocalKv, waitForJob, startIndex } from "../helpers/jobs";

const BUDGET = "600/10s";
const t = useJobsOnLocalKv({ kv: { rateLimit: BUDGET }, jobs: { budget: BUDGET } });

afterEach(() => {
  t.kv.faults.reset();
  t.h.services.connections.catalog.maxBytes = 1024 * 1024 * 1024;
});

const newNamespace = async (title: string) => (await t.kv.store.createNamespace(t.kv.accountId, `${title}-${crypto.randomUUID()}`))!.id;

/** Names the catalog must keep exactly: escapes, controls, bidi, astral and private-use characters, long ones. */
const ODD_NAMES = [
  "soh\u0001inside",
  "\u0001",
  "\u0001\u0002",
  "tab\tand\nnewline",
  "rtl\u202Eoverride",
  "emoji 😀 astral",
  "\uFFFD replacement",
  "\uE000 private",
  "\u{10FFFF}",
  "space at end ",
  "a".repeat(512),
  "%2F/slash/../dots",
];

async function seed(ns: string, keys: number) {
  const later = nowSeconds() + 86_400;
  await seedKeys(
    t.kv,
    ns,
    sql`select ${ns}, 'k/' || lpad(i::text, 6, '0'), convert_to('v', 'UTF8'),
          case when i % 7 = 0 then null when i % 7 = 1 then '{"tag":"rare","n":' || i || '}' else '{"tag":"common","nested":{"deep":[1,"two",null]}}' end,
          case when i % 5 = 0 then ${later} + i else null end
        from generate_series(1, ${keys}) i`,
  );
  await t.kv.store.write(
    ns,
    ODD_NAMES.map((key, i) => ({
      key,
      value: Buffer.from("v"),
      metadata: i % 2 ? JSON.stringify({ name: key, soh: "\u0001", emoji: "😀" }) : null,
      expiration: i % 3 ? null : later,
    })),
  );
}

/** What the upstream lists (the local KV store's own listing, page by page: no request of the job's budget). */
async function upstreamKeys(ns: string): Promise<CatalogEntry[]> {
  const all: KeyInfo[] = [];
  for (let after: string | undefined; ;) {
    const page = await t.kv.store.listKeys(ns, { limit: 1000, after });
    all.push(...page.keys);
    if (!page.cursor || !page.keys.length) break;
    after = page.keys[page.keys.length - 1].name;
  }
  return all.map((k) => entry(k));
}

const entry = (k: { name: string; metadata?: unknown; expiration?: number }): CatalogEntry => {
  const out: CatalogEntry = { name: k.name };
  if (k.metadata !== undefined && k.metadata !== null) out.metadata = k.metadata;
  if (k.expiration !== undefined && k.expiration !== null) out.expiration = k.expiration;
  return out;
};

async function catalogKeys(ns: string): Promise<CatalogEntry[]> {
  const store = t.h.services.connections.catalog;
  const catalog = await store.get(t.h.connectionId, ns);
  if (!catalog) return [];
  const all: CatalogEntry[] = [];
  for await (const page of store.allKeys(catalog.id)) all.push(...page);
  return all;
}

const index = async (ns: string) => {
  const job = await startIndex(t.h, ns);
  return job;
};

test("an index under a request budget and faults holds exactly what the upstream lists", async () => {
  const ns = await newNamespace("catalog-exact");
  await seed(ns, 20_000);
  t.kv.faults.update({ error: 0.2, burst429: 0.1, seed: 11 });
  const done = await waitForJob(t.h, (await index(ns)).id);
  t.kv.faults.reset();

  expect(done.state).toBe("succeeded");
  const expected = await upstreamKeys(ns);
  expect(expected.length).toBe(20_000 + ODD_NAMES.length);
  const held = await catalogKeys(ns);
  expect(held.length).toBe(expected.length);
  expect(held).toEqual(expected);
  const catalog = (await t.h.services.connections.catalog.get(t.h.connectionId, ns))!;
  expect(catalog).toMatchObject({ state: "ready", scan: 1, keyCount: expected.length, scanJobId: null });
  expect(catalog.asOf).not.toBeNull();
  expect(done.result).toMatchObject({ scan: 1, keys: expected.length, added: expected.length, removed: 0 });
  // Faults were met: more requests than the fault-free 21 pages.
  expect(done.requestsUsed).toBeGreaterThan(21);

  // The listing's end kept the overview at the detected delimiter and the tree's first level at
  // it, for the catalog as it stands: the first look reads them.
  const db = t.h.services.connections.catalog.db;
  const overview = await readFigures<{ totalKeys: number; delimiter: string }>(db, catalog.id, "overview", "auto");
  expect(overview?.version).toBe(catalogVersion(catalog));
  expect(overview?.body).toMatchObject({ totalKeys: expected.length, delimiter: "/" });
  const tree = await readFigures<PrefixLevel>(db, catalog.id, "tree", "/");
  expect(tree?.version).toBe(catalogVersion(catalog));
  expect(tree?.body.folders).toContainEqual({ prefix: "k/", keys: 20_000 });
  expect((await catalogStats(db, catalog, { delimiter: "auto", now: Date.now() })).figuresAt).toBeNull();
});

test("a paused and resumed index keeps its scan and equals the upstream", async () => {
  const ns = await newNamespace("catalog-resume");
  await seed(ns, 30_000);
  const job = await index(ns);
  await waitForJob(t.h, job.id, { until: (j) => j.counters.scanned >= 5_000 });
  await pauseJob({ services: t.h.services, jobId: job.id });
  const paused = await waitForJob(t.h, job.id, { until: (j) => j.state === "paused" || j.state === "succeeded" });
  expect(paused.state).toBe("paused");
  const store = t.h.services.connections.catalog;
  const during = (await store.get(t.h.connectionId, ns))!;
  expect(during).toMatchObject({ state: "building", scan: 1, scanJobId: job.id });
  expect(during.keyCount).toBeLessThan(30_000 + ODD_NAMES.length);

  await resumeJob({ services: t.h.services, jobId: job.id });
  const done = await waitForJob(t.h, job.id);
  expect(done.state).toBe("succeeded");
  expect(await catalogKeys(ns)).toEqual(await upstreamKeys(ns));
  expect(await store.get(t.h.connectionId, ns)).toMatchObject({ state: "ready", scan: 1, keyCount: 30_000 + ODD_NAMES.length });
});

test("a refresh finds the keys added and removed behind kvdeck's back", async () => {
  const ns = await newNamespace("catalog-refresh");
  await seed(ns, 3_000);
  expect((await waitForJob(t.h, (await index(ns)).id)).state).toBe("succeeded");
  // Straight into the local KV store: kvdeck does not see these.
  await t.kv.store.write(
    ns,
    ["new/1", "new/2", "new/3"].map((key) => ({
      key,
      value: Buffer.from("n"),
      metadata: JSON.stringify({ tag: "new" }),
      expiration: null,
    })),
  );
  await t.kv.store.delete(ns, ["k/000001", "k/000002", ODD_NAMES[0]]);
  await t.kv.store.write(ns, [
    { key: "k/000003", value: Buffer.from("changed"), metadata: JSON.stringify({ tag: "changed" }), expiration: null },
  ]);

  const done = await waitForJob(t.h, (await index(ns)).id);
  expect(done.state).toBe("succeeded");
  expect(done.result).toMatchObject({ scan: 2, added: 3, removed: 3, keys: 3_000 + ODD_NAMES.length });
  expect(await catalogKeys(ns)).toEqual(await upstreamKeys(ns));
  const store = t.h.services.connections.catalog;
  const catalog = (await store.get(t.h.connectionId, ns))!;
  const scans = await store.scans(catalog.id);
  expect(scans.map((s) => [s.scan, s.added, s.removed])).toEqual([
    [2, 3, 3],
    [1, 3_000 + ODD_NAMES.length, 0],
  ]);
});

test("a catalog past KVDECK_CATALOG_MAX_BYTES stops its index with a message saying so", async () => {
  const ns = await newNamespace("catalog-cap");
  await seed(ns, 5_000);
  t.h.services.connections.catalog.maxBytes = 50_000;
  const done = await waitForJob(t.h, (await index(ns)).id);
  expect(done.state).toBe("failed");
  expect(done.error).toMatch(/more than 50,000 bytes of key names and metadata \(KVDECK_CATALOG_MAX_BYTES\)/);
  const catalog = (await t.h.services.connections.catalog.get(t.h.connectionId, ns))!;
  expect(catalog.state).toBe("building");
  expect(catalog.bytes).toBeGreaterThan(50_000);
});

test("two index jobs of one namespace are refused, and a dry run has no meaning", async () => {
  const ns = await newNamespace("catalog-once");
  await seed(ns, 100);
  t.kv.faults.update({ holdListsAfter: 0 });
  const first = await index(ns);
  await expect(index(ns)).rejects.toThrow(/already being indexed/);
  t.kv.faults.update({ holdListsAfter: null });
  expect((await waitForJob(t.h, first.id)).state).toBe("succeeded");
  await expect(
    startJob({
      services: t.h.services,
      user: "t",
      connectionId: t.h.connectionId,
      namespaceId: ns,
      kind: "index",
      payload: {},
      dryRun: true,
    }),
  ).rejects.toThrow(/no dry run/);
});

test("a cancelled index gives up its scan and keeps what it listed; the next index starts a new scan and completes it", async () => {
  const ns = await newNamespace("catalog-cancel");
  await seed(ns, 10_000);
  t.kv.faults.update({ holdListsAfter: 3 });
  const job = await index(ns);
  await waitForJob(t.h, job.id, { until: (j) => j.counters.scanned >= 3_000 });
  await cancelJob({ services: t.h.services, jobId: job.id });
  t.kv.faults.update({ holdListsAfter: null });
  expect((await waitForJob(t.h, job.id)).state).toBe("cancelled");
  const store = t.h.services.connections.catalog;
  const left = (await store.get(t.h.connectionId, ns))!;
  expect(left).toMatchObject({ state: "building", scan: 1, scanJobId: null });
  expect(left.keyCount).toBeGreaterThanOrEqual(3_000);
  expect(left.keyCount).toBeLessThan(10_000 + ODD_NAMES.length);

  expect((await waitForJob(t.h, (await index(ns)).id)).state).toBe("succeeded");
  expect(await store.get(t.h.connectionId, ns)).toMatchObject({ state: "ready", scan: 2, keyCount: 10_000 + ODD_NAMES.length });
  expect(await catalogKeys(ns)).toEqual(await upstreamKeys(ns));
});
