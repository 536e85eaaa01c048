// The resource cache against a real database (PGlite, or PostgreSQL with KVDECK_TEST_DATABASE_URL).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { sql } from "drizzle-orm";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { ResourceCache } from "./resource-cache.server";
import type { Overlay } from "./types";
import { listMarks } from "../../tests/helpers/marks";

interface Key {
  name: string;
  metadata?: unknown;
}

let database: TestDatabase;
let clock = 1_700_000_000_000;
let cache: ResourceCache;
const SCOPE = "acc/ns1";

const confirms = (listed: Key, o: Overlay<Key>) => JSON.stringify(listed.metadata ?? null) === JSON.stringify(o.expected?.metadata ?? null);
/** Key order as Workers KV sorts: by UTF-8 bytes (the cache takes it from its caller). */
const compare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const mergeOptions = { idOf: (k: Key) => k.name, compare, confirms };

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.db.execute(sql`delete from overlays`);
  await database.db.execute(sql`delete from overlay_rules`);
  clock = 1_700_000_000_000;
  cache = new ResourceCache(database.db, { defaultTtlMs: 60_000, now: () => clock });
});

test("a mark needs no cached list: marking before any merge hides the key", async () => {
  await cache.markAsDeleting(SCOPE, ["b"], { opId: "op1" });
  const merged = await cache.merge<Key>(SCOPE, [{ name: "a" }, { name: "b" }, { name: "c" }], mergeOptions);
  expect(merged.items.map((i) => i.name)).toEqual(["a", "c"]);
  expect(merged.hidden).toBe(1);
});

test("deleting keys stay hidden across merges until the upstream stops listing them, then the mark is cleared", async () => {
  await cache.markAsDeleting(SCOPE, ["a", "b"], { opId: "op1" });
  const listed = [{ name: "a" }, { name: "b" }, { name: "c" }];
  expect((await cache.merge(SCOPE, listed, mergeOptions)).items.map((i) => i.name)).toEqual(["c"]);
  clock += 10_000;
  expect((await cache.merge(SCOPE, listed, mergeOptions)).items.map((i) => i.name)).toEqual(["c"]);
  expect(await listMarks(database.db, SCOPE)).toHaveLength(2);
  // The upstream caught up with one of them.
  const merged = await cache.merge(SCOPE, [{ name: "b" }, { name: "c" }], mergeOptions);
  expect(merged.items.map((i) => i.name)).toEqual(["c"]);
  expect((await listMarks(database.db, SCOPE)).map((o) => o.resourceId)).toEqual(["b"]);
});

test("an unconfirmed delete past its TTL becomes a stored error, not a silent reappearance", async () => {
  await cache.markAsDeleting(SCOPE, ["a"], { opId: "op1", ttlMs: 5_000 });
  clock += 6_000;
  const merged = await cache.merge<Key>(SCOPE, [{ name: "a" }], mergeOptions);
  expect(merged.items[0]._meta).toMatchObject({ status: "error", intent: "delete" });
  const stored = await cache.getOne(SCOPE, "a");
  expect(stored).toMatchObject({ status: "error", error: expect.stringMatching(/^Delete not confirmed/) });
  // A retry is a new operation with a fresh TTL.
  await cache.markAsDeleting(SCOPE, ["a"], { opId: "op2" });
  expect((await cache.merge(SCOPE, [{ name: "a" }], mergeOptions)).items).toEqual([]);
  expect(await cache.getOne(SCOPE, "a")).toMatchObject({ opId: "op2", status: "deleting", error: null });
});

test("rollbackOperation undoes only its own operation's marks", async () => {
  await cache.markAsDeleting(SCOPE, ["a", "b"], { opId: "op1" });
  await cache.markAsDeleting(SCOPE, ["b"], { opId: "op2" }); // a newer operation takes over b
  expect(await cache.rollbackOperation("op1")).toBe(1);
  expect((await listMarks(database.db, SCOPE)).map((o) => [o.resourceId, o.opId])).toEqual([["b", "op2"]]);
  expect(await cache.rollbackOperation("op1", ["b"])).toBe(0);
});

test("fail turns only the refused items of an operation into errors", async () => {
  await cache.markAsDeleting(SCOPE, ["a", "b", "c"], { opId: "op1" });
  await cache.fail(SCOPE, "op1", [{ id: "b", error: "upstream refused b" }]);
  const merged = await cache.merge<Key>(SCOPE, [{ name: "a" }, { name: "b" }, { name: "c" }], mergeOptions);
  expect(merged.items).toEqual([{ name: "b", _meta: expect.objectContaining({ status: "error", error: "upstream refused b" }) }]);
});

test("creates show before the upstream lists them and clear once it does", async () => {
  await cache.addAsCreating<Key>(SCOPE, [{ id: "b", data: { name: "b", metadata: { v: 1 } }, expected: { metadata: { v: 1 } } }], {
    opId: "op1",
  });
  const before = await cache.merge<Key>(SCOPE, [{ name: "a" }, { name: "c" }], mergeOptions);
  expect(before.items.map((i) => [i.name, i._meta?.status])).toEqual([
    ["a", undefined],
    ["b", "creating"],
    ["c", undefined],
  ]);
  const after = await cache.merge<Key>(SCOPE, [{ name: "a" }, { name: "b", metadata: { v: 1 } }], mergeOptions);
  expect(after.items.map((i) => i._meta)).toEqual([undefined, undefined]);
  expect(await listMarks(database.db, SCOPE)).toEqual([]);
});

test("clearing is owner-checked: a newer operation's mark written meanwhile survives", async () => {
  await cache.markAsDeleting(SCOPE, ["a"], { opId: "op1" });
  const result = await cache.merge<Key>(SCOPE, [], mergeOptions); // confirms op1's delete
  expect(result.confirmed.map((o) => o.opId)).toEqual(["op1"]);
  await cache.addAsCreating<Key>(SCOPE, [{ id: "a", data: { name: "a" } }], { opId: "op2" });
  // Re-running the clear of op1 (as a slow concurrent loader would) must not touch op2's mark.
  await (cache as unknown as { settle(r: unknown): Promise<void> }).settle(result);
  expect(await cache.getOne(SCOPE, "a")).toMatchObject({ opId: "op2", status: "creating" });
});

test("progress metadata: markAsProcessing, updateMetadata, cancelOperation", async () => {
  for (const id of ["a", "b"]) await cache.markAsProcessing(SCOPE, { id }, { opId: "job1", stage: "copying", progress: 0 });
  expect(await cache.getOne(SCOPE, "a")).toMatchObject({ status: "processing", intent: "process" });
  expect(await cache.updateMetadata(SCOPE, "a", "job1", { progress: 0.5, message: "halfway", retryCount: 1, maxRetries: 3 })).toBe(true);
  expect(await cache.updateMetadata(SCOPE, "a", "other", { progress: 1 })).toBe(false);
  expect(await cache.getOne(SCOPE, "a")).toMatchObject({
    progress: 0.5,
    message: "halfway",
    retryCount: 1,
    maxRetries: 3,
    stage: "copying",
  });
  expect((await listMarks(database.db, SCOPE)).filter((o) => o.status === "processing").map((o) => o.resourceId)).toEqual(["a", "b"]);
  await cache.addRule(SCOPE, { prefix: "tmp:" }, { opId: "job1" });
  expect(await cache.cancelOperation("job1")).toEqual({ marks: 2, rules: 1 });
  expect(await cache.getOne(SCOPE, "a")).toBeNull();
});

test("updateMetadata of many ids: only the operation's own marks among them change", async () => {
  await cache.markAsDeleting(SCOPE, ["a", "b", "c"], { opId: "op1" });
  await cache.markAsDeleting(SCOPE, ["c"], { opId: "op2" });
  expect(await cache.updateMetadata(SCOPE, ["a", "c"], "op1", { status: "retrying", retryCount: 1, maxRetries: 2 })).toBe(true);
  expect((await listMarks(database.db, SCOPE)).map((o) => [o.resourceId, o.status, o.retryCount, o.maxRetries])).toEqual([
    ["a", "retrying", 1, 2],
    ["b", "deleting", 0, 0],
    ["c", "deleting", 0, 0],
  ]);
  expect(await cache.updateMetadata(SCOPE, ["c"], "op1", { status: "retrying" })).toBe(false);
});

test("replaceCreated swaps a temporary id for the id the upstream assigned", async () => {
  await cache.addAsCreating(SCOPE, [{ id: "pending:1", data: { id: "pending:1", title: "new" } }], { opId: "op1" });
  await cache.replaceCreated(SCOPE, "pending:1", { id: "abc", data: { id: "abc", title: "new" } }, { opId: "op1" });
  expect((await listMarks(database.db, SCOPE)).map((o) => o.resourceId)).toEqual(["abc"]);
});

test("a rule overlay hides every matching key until it expires", async () => {
  await cache.addRule(SCOPE, { prefix: "tmp:" }, { opId: "job1", ttlMs: 30_000 });
  const ruleMatches = (k: Key, r: { rule: { prefix?: string } }) => k.name.startsWith(r.rule.prefix ?? "");
  const listed = [{ name: "keep" }, { name: "tmp:1" }, { name: "tmp:2" }];
  expect((await cache.merge(SCOPE, listed, { ...mergeOptions, ruleMatches })).items.map((i) => i.name)).toEqual(["keep"]);
  clock += 31_000;
  expect((await cache.merge(SCOPE, listed, { ...mergeOptions, ruleMatches })).items).toHaveLength(3);
});

test("marks of other scopes and outside the page's range are left alone", async () => {
  await cache.markAsDeleting("acc/other", ["a"], { opId: "op1" });
  await cache.markAsDeleting(SCOPE, ["z"], { opId: "op1" });
  const merged = await cache.merge<Key>(SCOPE, [{ name: "a" }], { ...mergeOptions, range: { through: "m" } });
  expect(merged.items.map((i) => i.name)).toEqual(["a"]);
  expect(merged.confirmed).toEqual([]);
  expect(await listMarks(database.db, "acc/other")).toHaveLength(1);
});

describe("concurrency", () => {
  const id = (i: number) => `key-${String(i).padStart(2, "0")}`;
  test("50 concurrent actions on one namespace lose no mark", async () => {
    const actions = Array.from({ length: 50 }, (_, i) => cache.markAsDeleting(SCOPE, [id(i), `shared-${i % 5}`], { opId: `op-${i}` }));
    await Promise.all(actions);
    const marks = await listMarks(database.db, SCOPE);
    expect(marks.filter((m) => m.resourceId.startsWith("key-"))).toHaveLength(50);
    expect(marks.filter((m) => m.resourceId.startsWith("shared-"))).toHaveLength(5);
    // Interleave merges, fails and reverts: each touches only its own operation.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
          ? cache.fail(SCOPE, `op-${i}`, [{ id: id(i), error: `refused ${i}` }])
          : cache.merge<Key>(SCOPE, [{ name: id(i) }], { ...mergeOptions, range: { prefix: id(i) } }),
      ),
    );
    const after = await listMarks(database.db, SCOPE);
    expect(after.filter((m) => m.resourceId.startsWith("key-"))).toHaveLength(50);
    expect(
      after
        .filter((m) => m.status === "error")
        .map((m) => m.resourceId)
        .sort(),
    ).toEqual(Array.from({ length: 25 }, (_, k) => id(k * 2)));
  });
});
