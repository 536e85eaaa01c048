// Searching from the catalog answers exactly what compileRule keeps (app/kv/key-rule.ts), for every
// kind of rule, on real PGlite (or PostgreSQL): the SQL conditions of app/catalog/rule-query.server.ts
// may only narrow to a superset, never drop a match. And the keys page answers a filter on an
// indexed namespace with no upstream request, marks merged over it, and "Verify live" lists live.
import { sql } from "drizzle-orm";
import { expect, test, vi } from "vitest";
import { keyScope } from "~/cache/scopes";
import { catalogQuery } from "~/catalog/rule-query.server";
import { searchCatalog } from "~/catalog/search.server";
import type { CatalogEntry } from "~/catalog/store.server";
import { loadKeyPage } from "~/features/keys/page.server";
import { loadNamespaces } from "~/features/namespaces/list.server";
import { compareKeys } from "~/kv/key-order";
import { type KeyRule, compileRule, keyRuleSchema } from "~/kv/key-rule";
import { useJobsOnLocalKv, waitForJob, startIndex } from "../helpers/jobs";

const t = useJobsOnLocalKv();
const store = () => t.h.services.connections.catalog;

const NOW = 1_900_000_000;

/** Keys whose metadata and names exercise every corner of compileRule. */
function corpus(): CatalogEntry[] {
  const metadata: unknown[] = [
    undefined,
    { tag: "blog" },
    { tag: "blog-old" },
    { tag: "Blog" },
    { tag: 42 },
    { tag: "42" },
    { tag: true },
    { tag: null },
    { tag: ["blog", "shop"] },
    { tag: [{ a: 1 }] },
    { tag: { a: 1, b: [2] } },
    { "a.b": "dotted" },
    { a: { b: "nested" } },
    { a: { "b.c": 1 } },
    { a: { b: { c: 1 } } },
    { a: ["x", { b: "in-array" }] },
    ["blog"],
    [{ tag: "blog" }],
    "blog",
    42,
    { toString: "own" },
    { n: 1.5, big: 1e21, neg: -0 },
    { "k\u0001": "soh\u0001", emoji: "😀" },
    { tag: "" },
  ];
  const names = [
    "a",
    "a/b",
    "a/b/c",
    "a*b",
    "a?b",
    "a[b]",
    "a.b",
    "b/a",
    "cache/v1/x",
    "cache/v10/x",
    "cache/v2/x",
    "Cache/v1/x",
    "line\nbreak",
    "soh\u0001x",
    "😀/astral",
    "\uE000/private",
    "\uFFFD",
    "\u{10FFFF}end",
    "",
    "zz",
  ];
  const keys: CatalogEntry[] = [];
  let i = 0;
  for (const base of names) {
    for (const [m, value] of metadata.entries()) {
      const key: CatalogEntry = { name: `${base}#${String(m).padStart(2, "0")}` };
      if (value !== undefined) key.metadata = value;
      if (i % 3 === 1) key.expiration = NOW - 100 + (i % 200);
      i++;
      keys.push(key);
    }
  }
  return keys.sort((a, b) => compareKeys(a.name, b.name));
}

const RULES: KeyRule[] = [
  {},
  { prefix: "a" },
  { prefix: "a/" },
  { prefix: "cache/v1" },
  { prefix: "😀" },
  { prefix: "\u{10FFFF}" },
  { prefix: "soh\u0001" },
  { glob: "a*" },
  { glob: "a?b*" },
  { glob: "a[*]b*" },
  { glob: "cache/v?/*" },
  { glob: "*#0[1-3]" },
  { glob: "*[!a-z]#1?" },
  { glob: "line*" },
  { regex: "^a.b#" },
  { regex: "x#0[0-9]$" },
  { regex: "\\p{Emoji_Presentation}" },
  { regex: "^.{2}#" },
  { metadata: [{ field: "tag", op: "equals", value: "blog" }] },
  { metadata: [{ field: "tag", op: "equals", value: "42" }] },
  { metadata: [{ field: "tag", op: "equals", value: "true" }] },
  { metadata: [{ field: "tag", op: "equals", value: "null" }] },
  { metadata: [{ field: "tag", op: "equals", value: '["blog","shop"]' }] },
  { metadata: [{ field: "tag", op: "equals", value: '{"a":1,"b":[2]}' }] },
  { metadata: [{ field: "tag", op: "equals", value: '[{"a":1}]' }] },
  { metadata: [{ field: "tag", op: "equals", value: "" }] },
  { metadata: [{ field: "tag", op: "contains", value: "blog" }] },
  { metadata: [{ field: "tag", op: "contains", value: "a" }] },
  { metadata: [{ field: "tag", op: "exists" }] },
  { metadata: [{ field: "a.b", op: "equals", value: "dotted" }] },
  { metadata: [{ field: "a.b", op: "equals", value: "nested" }] },
  { metadata: [{ field: "a.b", op: "equals", value: "in-array" }] },
  { metadata: [{ field: "a.1.b", op: "equals", value: "in-array" }] },
  { metadata: [{ field: "a.b.c", op: "equals", value: "1" }] },
  { metadata: [{ field: "a.b", op: "exists" }] },
  { metadata: [{ field: "0", op: "equals", value: "blog" }] },
  { metadata: [{ field: "0.tag", op: "equals", value: "blog" }] },
  { metadata: [{ field: "length", op: "exists" }] },
  { metadata: [{ field: "toString", op: "exists" }] },
  { metadata: [{ field: "toString", op: "equals", value: "own" }] },
  { metadata: [{ field: "n", op: "equals", value: "1.5" }] },
  { metadata: [{ field: "big", op: "equals", value: "1e+21" }] },
  { metadata: [{ field: "neg", op: "equals", value: "0" }] },
  { metadata: [{ field: "k\u0001", op: "equals", value: "soh\u0001" }] },
  { metadata: [{ field: "emoji", op: "contains", value: "😀" }] },
  { expiringBefore: NOW },
  { expiringBefore: NOW + 50 },
  { expiringFrom: NOW },
  { expiringFrom: NOW + 1, expiringBefore: NOW + 50 },
  { noExpiry: true },
  { prefix: "a", metadata: [{ field: "tag", op: "equals", value: "blog" }], noExpiry: true },
  {
    glob: "cache/*",
    metadata: [
      { field: "tag", op: "exists" },
      { field: "tag", op: "contains", value: "o" },
    ],
    expiringBefore: NOW + 100,
  },
];

async function searchAll(catalogId: number, rule: KeyRule): Promise<string[]> {
  const found: string[] = [];
  let after: string | null = null;
  for (let answers = 0; answers < 1000; answers++) {
    // Small bounds: the answers must join up exactly across their boundaries.
    const answer = await searchCatalog(store(), { id: catalogId }, rule, after, { targetMatches: 7, maxExamined: 1000 });
    found.push(...answer.keys.map((k) => k.name));
    if (answer.done) return found;
    after = answer.last;
  }
  throw new Error("the search did not end");
}

test("every rule answers from the catalog exactly what compileRule keeps", async () => {
  const keys = corpus();
  const ns = `search-${crypto.randomUUID()}`;
  const catalog = await store().ensure(t.h.connectionId, ns);
  const { scan } = (await store().beginScan(catalog.id, "job-search"))!;
  for (let i = 0; i < keys.length; i += 1000) await store().upsertListed(catalog.id, scan, keys.slice(i, i + 1000));
  await store().finishScan(catalog.id, "job-search");
  expect((await store().byId(catalog.id))!.keyCount).toBe(keys.length);

  for (const rule of RULES) {
    expect(keyRuleSchema.safeParse(rule).success, JSON.stringify(rule)).toBe(true);
    const expected = keys.filter(compileRule(rule)).map((k) => k.name);
    expect(await searchAll(catalog.id, rule), JSON.stringify(rule)).toEqual(expected);
  }
});

test("the SQL conditions narrow where they can: a prefix range, containment for equals, presence for the rest", () => {
  expect(catalogQuery({ glob: "cache/v?/*", prefix: "cache/" })).toEqual({ prefix: "cache/v", metadata: [] });
  expect(catalogQuery({ metadata: [{ field: "tag", op: "equals", value: "42" }] }).metadata).toEqual([
    { containsAny: [{ tag: "42" }, { tag: 42 }] },
  ]);
  expect(catalogQuery({ metadata: [{ field: "a.b", op: "equals", value: "x" }] }).metadata).toEqual([{ hasAnyTopField: ["a.b", "a"] }]);
  expect(catalogQuery({ metadata: [{ field: "toString", op: "exists" }] }).metadata).toEqual([{}]);
  expect(catalogQuery({ expiringBefore: 5, noExpiry: undefined })).toEqual({ metadata: [], expiringBefore: 5 });
  expect(catalogQuery({ expiringFrom: 3, expiringBefore: 5 })).toEqual({ metadata: [], expiringFrom: 3, expiringBefore: 5 });
});

test("the keys page answers a filter on an indexed namespace from the catalog, with no upstream request and marks merged", async () => {
  const ns = (await t.kv.store.createNamespace(t.kv.accountId, `page-${crypto.randomUUID()}`))!.id;
  await t.h.upstream.bulkWrite(
    ns,
    Array.from({ length: 2500 }, (_, i) => ({
      key: `k/${String(i).padStart(4, "0")}`,
      value: "v",
      metadata: { tag: i % 500 ? "common" : "rare" },
    })),
  );
  const job = await startIndex(t.h, ns);
  expect((await waitForJob(t.h, job.id)).state).toBe("succeeded");
  const catalog = await store().get(t.h.connectionId, ns);
  // A delete in flight elsewhere: its mark hides the key in the catalog's answer too.
  await t.h.services.cache.markAsDeleting(keyScope(t.kv.accountId, ns), ["k/0500"], { opId: "op-1", ttlMs: 60_000 });

  const listed = vi.spyOn(t.h.upstream, "listKeys");
  const rule: KeyRule = { metadata: [{ field: "tag", op: "equals", value: "rare" }] };
  const base = { accountId: t.kv.accountId, namespaceId: ns, prefix: "", cursor: "", after: null, filter: rule };
  const page = await loadKeyPage(t.h.services.cache, t.h.upstream, { ...base, catalog: { store: store(), catalog } });
  expect(listed).not.toHaveBeenCalled();
  expect(page.source).toMatchObject({ from: "catalog", building: false });
  expect(page.keys.map((k) => k.name)).toEqual(["k/0000", "k/1000", "k/1500", "k/2000"]);
  expect(page.hidden).toBe(1);
  expect(page.cursor).toBe("");

  // Verify live: the same filter, listed upstream, says what it cost.
  const live = await loadKeyPage(t.h.services.cache, t.h.upstream, { ...base, catalog: { store: store(), catalog, live: true } });
  expect(listed).toHaveBeenCalledTimes(3);
  expect(live.source).toEqual({ from: "live", pages: 3, catalog: true });
  expect(live.keys.map((k) => k.name)).toEqual(page.keys.map((k) => k.name));

  // A jump to a key: the whole namespace from that key on, from the catalog, then on by its cursor.
  listed.mockClear();
  const jump = { ...base, filter: {}, catalog: { store: store(), catalog }, from: "k/1234x" };
  const jumped = await loadKeyPage(t.h.services.cache, t.h.upstream, jump);
  expect(listed).not.toHaveBeenCalled();
  expect(jumped.source).toMatchObject({ from: "catalog" });
  expect(jumped.keys[0].name).toBe("k/1235");
  expect(jumped.keys).toHaveLength(1000);
  const next = await loadKeyPage(t.h.services.cache, t.h.upstream, { ...jump, cursor: jumped.cursor, after: jumped.pageEnd });
  expect(next.keys[0].name).toBe("k/2235");
  expect(next.keys.at(-1)!.name).toBe("k/2499");
  expect(next.cursor).toBe("");
  // The jump's own key comes first (inclusive).
  const exact = await loadKeyPage(t.h.services.cache, t.h.upstream, { ...jump, from: "k/0700" });
  expect(exact.keys[0].name).toBe("k/0700");
  expect(listed).not.toHaveBeenCalled();
  // Asked live, a jump cannot be answered (the upstream lists from the start): the listing starts at the first key.
  const liveJump = await loadKeyPage(t.h.services.cache, t.h.upstream, { ...jump, catalog: { store: store(), catalog, live: true } });
  expect(liveJump.keys[0].name).toBe("k/0000");
});

test("the namespaces list shows each namespace's key count and catalog age, or that it is not indexed", async () => {
  const indexedNs = (await t.kv.store.createNamespace(t.kv.accountId, `listed-${crypto.randomUUID()}`))!.id;
  const plainNs = (await t.kv.store.createNamespace(t.kv.accountId, `plain-${crypto.randomUUID()}`))!.id;
  await t.h.upstream.bulkWrite(indexedNs, [
    { key: "a", value: "1" },
    { key: "b", value: "2" },
  ]);
  const job = await startIndex(t.h, indexedNs);
  expect((await waitForJob(t.h, job.id)).state).toBe("succeeded");
  const rows = await loadNamespaces(t.h.services, t.h.upstream, t.h.connectionId);
  const indexed = rows.find((r) => r.id === indexedNs)!;
  expect(indexed.catalog).toMatchObject({ keyCount: 2, state: "ready" });
  expect(Date.parse(indexed.catalog!.asOf!)).toBeLessThanOrEqual(Date.now());
  expect(rows.find((r) => r.id === plainNs)!.catalog).toBeNull();
});

test("a listing that changed many rows refreshes the planner's statistics as it ends", async () => {
  const lastAnalyze = async () => {
    const result = (await store().db.execute(
      sql`select coalesce(extract(epoch from last_analyze), 0)::float8 as at from pg_stat_user_tables where relname = 'catalog_keys'`,
    )) as unknown as { rows: { at: number }[] };
    return Number(result.rows[0].at);
  };
  const catalog = await store().ensure(t.h.connectionId, `analyze-${crypto.randomUUID()}`);
  const { scan } = (await store().beginScan(catalog.id, "job-analyze"))!;
  const keys = Array.from({ length: 50_000 }, (_, i) => ({ name: `a/${String(i).padStart(5, "0")}` }));
  for (let i = 0; i < keys.length; i += 5000) await store().upsertListed(catalog.id, scan, keys.slice(i, i + 5000));
  const before = await lastAnalyze();
  await store().finishScan(catalog.id, "job-analyze");
  expect(await lastAnalyze()).toBeGreaterThan(before);
});
