import { describe, expect, test } from "vitest";
import { markOf } from "../../tests/helpers/marks";
import { merge, type MergeInput } from "./merge";
import { STATUS_FOR_INTENT, type Overlay, type OverlayIntent, type OverlayStatus, type RuleOverlay } from "./types";

/** Key order as Workers KV sorts: by UTF-8 bytes (the cache takes it from its caller). */
const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

interface Key {
  name: string;
  metadata?: unknown;
}

const NOW = 1_000_000;
const TTL = 60_000;

function overlay(resourceId: string, intent: OverlayIntent, opts: Partial<Overlay<Key>> & { alive?: boolean } = {}): Overlay<Key> {
  const createdAt = opts.alive === false ? NOW - TTL - 1 : NOW - 1000;
  return markOf<Key>({
    resourceId,
    opId: "op-1",
    intent,
    status: STATUS_FOR_INTENT[intent],
    data: intent === "delete" ? null : { name: resourceId, metadata: { v: 2 } },
    expected: intent === "delete" ? null : { metadata: { v: 2 } },
    createdAt,
    updatedAt: createdAt,
    expiresAt: createdAt + TTL,
    ...opts,
  });
}

type Rule = { prefix?: string };

function run(fresh: Key[], overlays: Overlay<Key>[], extra: Partial<MergeInput<Key, Rule>> = {}) {
  return merge<Key, Rule>({
    fresh,
    overlays,
    idOf: (k) => k.name,
    compare: compareKeys,
    range: { after: null, through: null },
    confirms: (listed, o) => JSON.stringify(listed.metadata) === JSON.stringify(o.expected?.metadata),
    now: NOW,
    ...extra,
  });
}

const names = (r: ReturnType<typeof run>) => r.items.map((i) => i.name);
const statusOf = (r: ReturnType<typeof run>, name: string) => r.items.find((i) => i.name === name)?._meta?.status;

const OLD: Key = { name: "k", metadata: { v: 1 } };
const NEW: Key = { name: "k", metadata: { v: 2 } };

// Every intent × upstream lists it (old / new state) or not × TTL alive / expired.
// Expected: what the row shows (hidden, plain, or a status), and what happens to the mark.
type Row = [
  intent: OverlayIntent,
  listed: Key | null,
  alive: boolean,
  shows: "hidden" | "plain" | "absent" | OverlayStatus,
  mark: "kept" | "cleared" | "expired",
];
const table: Row[] = [
  ["delete", OLD, true, "hidden", "kept"],
  ["delete", OLD, false, "error", "expired"],
  ["delete", null, true, "absent", "cleared"],
  ["delete", null, false, "absent", "cleared"],
  ["create", NEW, true, "plain", "cleared"],
  ["create", NEW, false, "plain", "cleared"],
  ["create", OLD, true, "creating", "kept"],
  ["create", OLD, false, "error", "expired"],
  ["create", null, true, "creating", "kept"],
  ["create", null, false, "error", "expired"],
  ["update", NEW, true, "plain", "cleared"],
  ["update", NEW, false, "plain", "cleared"],
  ["update", OLD, true, "updating", "kept"],
  ["update", OLD, false, "error", "expired"],
  ["update", null, true, "updating", "kept"],
  ["update", null, false, "error", "expired"],
  ["process", OLD, true, "processing", "kept"],
  ["process", OLD, false, "error", "expired"],
  ["process", NEW, true, "processing", "kept"],
  ["process", null, true, "processing", "kept"],
  ["process", null, false, "error", "expired"],
];

describe("merge: every intent × listed × TTL", () => {
  test.each(table)("%s, listed %j, alive %s → %s, mark %s", (intent, listed, alive, shows, mark) => {
    const o = overlay("k", intent, { alive });
    const r = run(listed ? [{ name: "a" }, listed, { name: "z" }] : [{ name: "a" }, { name: "z" }], [o]);
    if (shows === "hidden") {
      expect(names(r)).toEqual(["a", "z"]);
      expect(r.hidden).toBe(1);
    } else if (shows === "absent") {
      expect(names(r)).toEqual(["a", "z"]);
      expect(r.hidden).toBe(0);
    } else {
      expect(names(r)).toEqual(["a", "k", "z"]);
      expect(statusOf(r, "k")).toBe(shows === "plain" ? undefined : shows);
    }
    expect(r.confirmed.map((c) => c.resourceId)).toEqual(mark === "cleared" ? ["k"] : []);
    expect(r.expired.map((c) => c.resourceId)).toEqual(mark === "expired" ? ["k"] : []);
  });

  test("an updating row shows the new data, an expired one the upstream's and says why", () => {
    const alive = run([OLD], [overlay("k", "update")]);
    expect(alive.items[0]).toMatchObject({ name: "k", metadata: { v: 2 }, _meta: { status: "updating", intent: "update" } });
    const expired = run([OLD], [overlay("k", "update", { alive: false })]);
    expect(expired.items[0]).toMatchObject({ metadata: { v: 1 }, _meta: { status: "error" } });
    expect(expired.items[0]._meta?.error).toMatch(/^Update not confirmed/);
  });

  test("an expired delete comes back with an error that says the delete was not confirmed", () => {
    const r = run([OLD], [overlay("k", "delete", { alive: false })]);
    expect(r.items[0]._meta).toMatchObject({ status: "error", intent: "delete", opId: "op-1" });
    expect(r.items[0]._meta?.error).toBe("Delete not confirmed: the upstream still lists this key 60 s later.");
  });
});

describe("marks already in error", () => {
  test("a refused delete stays visible with its error, and clears once the key is gone", () => {
    const failed = overlay("k", "delete", { status: "error", error: "upstream refused" });
    expect(run([OLD], [failed]).items[0]._meta).toMatchObject({ status: "error", error: "upstream refused" });
    expect(run([], [failed]).confirmed).toEqual([failed]);
  });

  test("an errored update that is confirmed late is cleared", () => {
    const failed = overlay("k", "update", { status: "error", error: "x", alive: false });
    const r = run([NEW], [failed]);
    expect(r.confirmed).toEqual([failed]);
    expect(r.items[0]._meta).toBeUndefined();
  });

  test("a delete being sent again shows its row as retrying n/m; once it is not listed, it is confirmed", () => {
    const retrying = overlay("k", "delete", { status: "retrying", retryCount: 1, maxRetries: 2 });
    const r = run([OLD], [retrying]);
    expect(r.hidden).toBe(0);
    expect(r.items[0]._meta).toMatchObject({ status: "retrying", intent: "delete", retryCount: 1, maxRetries: 2 });
    expect(run([], [retrying]).confirmed).toEqual([retrying]);
  });

  test("an error mark is never reported as newly expired", () => {
    const failed = overlay("k", "delete", { status: "error", error: "x", alive: false });
    expect(run([OLD], [failed]).expired).toEqual([]);
  });
});

describe("value changes need a read to confirm", () => {
  const withDigest = (alive: boolean) => overlay("k", "update", { alive, expected: { metadata: { v: 2 }, valueDigest: "abc" } });
  test("listing the new metadata is not enough", () => {
    expect(statusOf(run([NEW], [withDigest(true)]), "k")).toBe("updating");
  });
  test("a verified read confirms it", () => {
    expect(run([NEW], [withDigest(false)], { verified: new Set(["k"]) }).confirmed).toHaveLength(1);
  });
  test("unverified past its TTL it becomes an error", () => {
    expect(run([NEW], [withDigest(false)]).expired).toHaveLength(1);
  });
});

describe("a restore's listing waits for the consistency delay", () => {
  const restored = (notBefore: number) => overlay("k", "create", { expected: { metadata: { v: 2 }, notBefore } });
  test("a listing before notBefore (the deleted key, stale) does not confirm it: the row stays creating", () => {
    const result = run([NEW], [restored(NOW + 1)]);
    expect(result.confirmed).toHaveLength(0);
    expect(statusOf(result, "k")).toBe("creating");
  });
  test("the same listing from notBefore on confirms it", () => {
    expect(run([NEW], [restored(NOW)]).confirmed).toHaveLength(1);
  });
  test("while it waits the row shows even when the upstream does not list it yet", () => {
    expect(statusOf(run([], [restored(NOW + 1)]), "k")).toBe("creating");
  });
});

describe("creates and page boundaries", () => {
  const create = (name: string) => overlay(name, "create", { data: { name, metadata: { v: 2 } } });

  test("a create the upstream does not list yet is inserted in key order", () => {
    const r = run([{ name: "a" }, { name: "c" }, { name: "😀" }], [create("b"), create("\uFFFD")]);
    expect(names(r)).toEqual(["a", "b", "c", "\uFFFD", "😀"]);
    expect(statusOf(r, "b")).toBe("creating");
  });

  test("only creates inside the page's range are inserted", () => {
    const range = { after: "b", through: "m" };
    const r = run([{ name: "c" }, { name: "m" }], [create("a"), create("b"), create("d"), create("m0"), create("z")], { range });
    expect(names(r)).toEqual(["c", "d", "m"]);
  });

  test("the last page takes every create after the previous page", () => {
    const r = run([{ name: "c" }], [create("a"), create("d"), create("zz")], { range: { after: "b", through: null } });
    expect(names(r)).toEqual(["c", "d", "zz"]);
  });

  test("creates outside the prefix are not inserted", () => {
    const r = run([{ name: "user:1" }], [create("user:2"), create("team:1")], { range: { prefix: "user:" } });
    expect(names(r)).toEqual(["user:1", "user:2"]);
  });

  test("a delete beyond this page is neither confirmed nor hidden", () => {
    const r = run([{ name: "a" }], [overlay("q", "delete")], { range: { after: null, through: "a" } });
    expect(r.confirmed).toEqual([]);
    expect(names(r)).toEqual(["a"]);
  });
});

describe("rule overlays", () => {
  const rule = (opts: Partial<RuleOverlay<Rule>> = {}): RuleOverlay<Rule> => ({
    id: 1,
    scope: "acc/ns",
    opId: "job-1",
    rule: { prefix: "tmp:" },
    status: "deleting",
    progress: 0.5,
    message: null,
    createdAt: NOW - 1000,
    expiresAt: NOW + TTL,
    ...opts,
  });
  const ruleMatches = (item: Key, r: RuleOverlay<Rule>) => item.name.startsWith(r.rule.prefix ?? "");

  test("hide every matching key without a mark per key", () => {
    const r = run([{ name: "keep" }, { name: "tmp:1" }, { name: "tmp:2" }], [], { rules: [rule()], ruleMatches });
    expect(names(r)).toEqual(["keep"]);
    expect(r.hidden).toBe(2);
  });

  test("an expired rule hides nothing", () => {
    const r = run([{ name: "tmp:1" }], [], { rules: [rule({ expiresAt: NOW - 1 })], ruleMatches });
    expect(names(r)).toEqual(["tmp:1"]);
  });

  test("an item's own mark wins over a rule", () => {
    const created = overlay("tmp:new", "create", { data: { name: "tmp:new", metadata: { v: 2 } } });
    const r = run([{ name: "tmp:1" }], [created], { rules: [rule()], ruleMatches });
    expect(names(r)).toEqual(["tmp:new"]);
    expect(statusOf(r, "tmp:new")).toBe("creating");
  });
});

test("with no marks the page passes through untouched", () => {
  const fresh = [{ name: "a" }, { name: "b" }];
  const r = run(fresh, []);
  expect(r.items).toEqual(fresh);
  expect(r).toMatchObject({ hidden: 0, confirmed: [], expired: [] });
});
