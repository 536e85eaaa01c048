// The overview's figures and the prefix tree on a small crafted catalog, in real PGlite: counts by
// prefix (names with NUL, U+0001, accents and emoji included), the delimiter detected, the expiry
// buckets on both sides of their bounds as the injected clock moves, metadata fields and values
// (escaped strings read back), metadata sizes, largest prefixes, growth, and the tree's levels and
// paging.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { readFigures } from "~/catalog/figures.server";
import { prefixChildren, type PrefixFolder } from "~/catalog/prefixes.server";
import { catalogStats, catalogVersion, detectDelimiter, forgetCatalogStats, settleCatalogStats } from "~/catalog/stats.server";
import { escapeKeyText } from "~/db/key-text";
import type { Catalog } from "~/db/schema";
import { type CatalogEntry, CatalogStore } from "~/catalog/store.server";
import { fillCatalog } from "../helpers/catalog";
import { openTestDatabase, type TestDatabase } from "../helpers/db";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const N = NOW / 1000;
const DAY = 86_400;

const KEYS: CatalogEntry[] = [
  { name: "a/", metadata: undefined },
  { name: "a/1", metadata: { type: "post", lang: "en" }, expiration: N },
  { name: "a/2", metadata: { type: "post" }, expiration: N - 100 },
  { name: "a/b/1", metadata: { type: "page", n: 3 }, expiration: N + 1 },
  { name: "a/b/2", metadata: { "t\u0000ag": "v\u0000al" }, expiration: N + 3600 },
  { name: "b:x" },
  { name: "b:y" },
  { name: "c/\u0000nul/1", metadata: { nested: { x: 1 } }, expiration: N + 3601 },
  { name: "c/\u0001soh/2", expiration: N + DAY },
  { name: "d/é/1", expiration: N + 7 * DAY },
  { name: "d/😀/1", expiration: N + 30 * DAY },
  { name: "m/1", metadata: { pad: "x".repeat(100) }, expiration: N + 30 * DAY + 1 },
  { name: "m/2", metadata: { pad: "x".repeat(300) } },
  { name: "m/3", metadata: { pad: "x".repeat(700) } },
  { name: "z", metadata: "just a string" },
];

const bytesOf = (names: string[]): number =>
  names.reduce((sum, name) => {
    const k = KEYS.find((key) => key.name === name)!;
    return sum + Buffer.byteLength(escapeKeyText(name)) + (k.metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(k.metadata)));
  }, 0);
const namesUnder = (prefix: string) => KEYS.map((k) => k.name).filter((n) => n.startsWith(prefix));

let t: TestDatabase;
let catalog: Catalog;

beforeAll(async () => {
  t = await openTestDatabase();
  // A first listing of ten keys and two that vanish before the second, which finds all fifteen.
  catalog = await fillCatalog(t.db, { listings: [[...KEYS.slice(0, 10), { name: "gone/1" }, { name: "gone/2" }], KEYS] });
});
afterAll(() => t.close());
beforeEach(() => forgetCatalogStats(t.db));

describe("overview figures", () => {
  test("totals, keys and bytes by prefix at '/', the keys without it apart", async () => {
    const stats = await catalogStats(t.db, catalog, { delimiter: "/", now: NOW });
    expect(stats.totalKeys).toBe(15);
    expect(stats.bytes).toBe(catalog.bytes);
    expect(stats.prefixes.top).toEqual([
      { prefix: "a/", keys: 5, bytes: bytesOf(namesUnder("a/")) },
      { prefix: "m/", keys: 3, bytes: bytesOf(namesUnder("m/")) },
      { prefix: "c/", keys: 2, bytes: bytesOf(namesUnder("c/")) },
      { prefix: "d/", keys: 2, bytes: bytesOf(namesUnder("d/")) },
      { prefix: null, keys: 3, bytes: bytesOf(["b:x", "b:y", "z"]) },
    ]);
    expect(stats.prefixes.distinct).toBe(4);
    expect(stats.prefixes.other).toEqual({ prefixes: 0, keys: 0, bytes: 0 });
    expect(stats.largest.map((p) => p.prefix)).toEqual(
      ["m/", "a/", "c/", "d/"].sort((x, y) => bytesOf(namesUnder(y)) - bytesOf(namesUnder(x))),
    );
    expect(stats.growth.map((g) => ({ ...g, finishedAt: undefined }))).toEqual([
      { scan: 1, keys: 12, added: 12, removed: 0, bytes: bytesOf(KEYS.slice(0, 10).map((k) => k.name)) + 12 },
      { scan: 2, keys: 15, added: 5, removed: 2, bytes: catalog.bytes },
    ]);
    expect(catalog.bytes).toBe(bytesOf(KEYS.map((k) => k.name)));
  });

  test("another delimiter groups by it", async () => {
    const stats = await catalogStats(t.db, catalog, { delimiter: ":", now: NOW });
    expect(stats.prefixes.top).toEqual([
      { prefix: "b:", keys: 2, bytes: bytesOf(["b:x", "b:y"]) },
      { prefix: null, keys: 13, bytes: bytesOf(KEYS.map((k) => k.name).filter((n) => !n.startsWith("b:"))) },
    ]);
  });

  test("auto picks the delimiter that splits the most sampled names", async () => {
    const stats = await catalogStats(t.db, catalog, { delimiter: "auto", now: NOW });
    expect(stats.delimiter).toBe("/");
    // "a/" ends with it (one part) and b:x, b:y, z have none.
    expect(stats.detected).toEqual({ sampled: 15, split: 11 });
    expect(detectDelimiter(["a:b", "c:d", "e/f"])).toEqual({ delimiter: ":", split: 2 });
    expect(detectDelimiter(["plain", "names"])).toEqual({ delimiter: null, split: 0 });
  });

  test("expiry buckets around their bounds, as the clock moves", async () => {
    const at = await catalogStats(t.db, catalog, { delimiter: "/", now: NOW });
    expect(at.expiry).toEqual({ expired: 2, hour: 2, day: 2, week: 1, month: 1, later: 1, never: 6 });
    // One second on: N + 1 has expired, N + 3601 falls in the hour, N + 30 days + 1 in the month.
    const later = await catalogStats(t.db, catalog, { delimiter: "/", now: NOW + 1000 });
    expect(later.expiry).toEqual({ expired: 3, hour: 2, day: 1, week: 1, month: 2, later: 0, never: 6 });
    expect(later.nowSeconds).toBe(N + 1);
  });

  test("metadata fields with coverage and top values (escaped names and values read back), and sizes", async () => {
    const stats = await catalogStats(t.db, catalog, { delimiter: "/", now: NOW });
    expect(stats.keysWithMetadata).toBe(9);
    expect(stats.distinctFields).toBe(6);
    // Fields by coverage, a tie by name.
    expect(stats.fields.slice(0, 2).map((f) => f.field)).toEqual(["pad", "type"]);
    expect(stats.fields[1]).toEqual({
      field: "type",
      keys: 3,
      values: [
        { value: "post", keys: 2, cut: false },
        { value: "page", keys: 1, cut: false },
      ],
    });
    const rest = Object.fromEntries(stats.fields.map((f) => [f.field, f]));
    expect(Object.keys(rest).sort()).toEqual(["lang", "n", "nested", "pad", "t\u0000ag", "type"].sort());
    expect(rest["pad"].keys).toBe(3);
    expect(rest["t\u0000ag"]).toEqual({ field: "t\u0000ag", keys: 1, values: [{ value: "v\u0000al", keys: 1, cut: false }] });
    expect(rest["n"].values).toEqual([{ value: "3", keys: 1, cut: false }]);
    expect(rest["nested"].values).toEqual([{ value: '{"x":1}', keys: 1, cut: false }]);
    // Values by keys, a tie by text; long ones cut.
    expect(rest["pad"].values.map((v) => [v.value.length, v.cut])).toEqual([
      [100, false],
      [200, true],
      [200, true],
    ]);
    // {"pad":"x…"} is 10 bytes plus the x's: 110, 310, 710.
    expect(stats.metadataSizes).toEqual([
      { label: "none", keys: 6 },
      { label: "1–64 B", keys: 6 },
      { label: "65–256 B", keys: 1 },
      { label: "257–512 B", keys: 1 },
      { label: "513–1024 B", keys: 1 },
    ]);
    expect(stats.metadataOversize).toBe(0);
  });
});

describe("prefix tree", () => {
  const level = (prefix: string, limit?: number, after?: Parameters<typeof prefixChildren>[2]["after"]) =>
    prefixChildren(t.db, catalog.id, { prefix, delimiter: "/", limit, after });

  test("the first level: folders with their counts, loose keys counted", async () => {
    const top = await level("");
    expect(top.folders).toEqual([
      { prefix: "a/", keys: 5 },
      { prefix: "c/", keys: 2 },
      { prefix: "d/", keys: 2 },
      { prefix: "m/", keys: 3 },
    ]);
    expect(top.loose).toBe(3);
    expect(top.next).toBeNull();
  });

  test("deeper levels, NUL and U+0001 names in byte order, the folder's own name loose", async () => {
    expect(await level("a/")).toMatchObject({ folders: [{ prefix: "a/b/", keys: 2 }], loose: 3, next: null });
    expect((await level("c/")).folders).toEqual([
      { prefix: "c/\u0000nul/", keys: 1 },
      { prefix: "c/\u0001soh/", keys: 1 },
    ]);
    expect((await level("d/")).folders).toEqual([
      { prefix: "d/é/", keys: 1 },
      { prefix: "d/😀/", keys: 1 },
    ]);
    expect(await level("a/b/")).toMatchObject({ folders: [], loose: 2, next: null });
    expect(await level("nothing/")).toMatchObject({ folders: [], loose: 0, next: null });
  });

  test("paging a level by one folder gives the same folders and loose keys", async () => {
    const folders: PrefixFolder[] = [];
    let loose = 0;
    let after: Parameters<typeof prefixChildren>[2]["after"] = null;
    for (let calls = 0; calls < 50; calls++) {
      const page = await level("", 1, after);
      folders.push(...page.folders);
      loose += page.loose;
      after = page.next;
      if (!after) break;
    }
    expect(after).toBeNull();
    expect(folders.map((f) => f.prefix)).toEqual(["a/", "c/", "d/", "m/"]);
    expect(loose).toBe(3);
  });
});

describe("kept figures", () => {
  test("figures kept in the database answer the next look, in any process, until the keys change", async () => {
    const first = await catalogStats(t.db, catalog, { delimiter: "/", now: NOW });
    const kept = await readFigures<{ prefixes: unknown }>(t.db, catalog.id, "overview", "/");
    expect(kept?.version).toBe(catalogVersion(catalog));
    expect(kept?.body.prefixes).toEqual(first.prefixes);
    // Rows changed behind the catalog's back (its version stays): the look reads the kept figures,
    // it does not compute them again.
    await t.db.execute(sql`update catalog_keys set key = 'q' || key where catalog_id = ${catalog.id} and key like 'a/%'`);
    try {
      const again = await catalogStats(t.db, catalog, { delimiter: "/", now: NOW });
      expect(again.prefixes).toEqual(first.prefixes);
      expect(again.figuresAt).toBeNull();
    } finally {
      await t.db.execute(sql`update catalog_keys set key = substr(key, 2) where catalog_id = ${catalog.id} and key like 'qa/%'`);
    }
    // The tree's first level is kept the same way, per delimiter.
    const level = await prefixChildren(t.db, catalog.id, { prefix: "", delimiter: "/", version: catalogVersion(catalog) });
    expect((await readFigures(t.db, catalog.id, "tree", "/"))?.body).toEqual(level);
    expect(await readFigures(t.db, catalog.id, "tree", ":")).toBeNull();
  });

  test("a change to the keys shows at the next look in the tree; the overview answers at once with its last figures, marked, then the new ones", async () => {
    const store = new CatalogStore(t.db);
    const version = (c: Catalog) => catalogVersion(c);
    const before = await catalogStats(t.db, catalog, { delimiter: "/", now: NOW });
    const treeBefore = await prefixChildren(t.db, catalog.id, { prefix: "", delimiter: "/", version: version(catalog) });
    expect(before.prefixes.top[0]).toMatchObject({ prefix: "a/", keys: 5 });
    expect(treeBefore.folders[0]).toEqual({ prefix: "a/", keys: 5 });
    // A write and a delete that leave the count as it was: the version still moves.
    await store.applyWrites(catalog.connectionId, catalog.namespaceId, [{ key: "a/new" }]);
    await store.applyDeletes(catalog.connectionId, catalog.namespaceId, ["d/é/1"]);
    const changed = (await store.byId(catalog.id))!;
    expect(changed.keyCount).toBe(catalog.keyCount);
    expect(before.figuresAt).toBeNull();
    // The look right after the change: the prefix figures as they were, saying when they were made;
    // the totals and the expiry buckets of the keys now.
    const stale = await catalogStats(t.db, changed, { delimiter: "/", now: NOW });
    expect(stale.figuresAt).not.toBeNull();
    expect(stale.prefixes.top[0]).toMatchObject({ prefix: "a/", keys: 5 });
    expect(stale.totalKeys).toBe(changed.keyCount);
    await settleCatalogStats();
    const after = await catalogStats(t.db, changed, { delimiter: "/", now: NOW });
    expect(after.figuresAt).toBeNull();
    expect(after.prefixes.top[0]).toMatchObject({ prefix: "a/", keys: 6 });
    const treeAfter = await prefixChildren(t.db, changed.id, { prefix: "", delimiter: "/", version: version(changed) });
    expect(treeAfter.folders.map((f) => [f.prefix, f.keys])).toEqual([
      ["a/", 6],
      ["c/", 2],
      ["d/", 1],
      ["m/", 3],
    ]);
  });
});
