// keyConfirms (does a listed key show what a create/update wrote?) and keyMatchesRule (does a
// rule overlay hide this key?), as pure functions over hand-made marks.
import { describe, expect, test } from "vitest";
import type { KeyInfo } from "~/kv/upstream.server";
import type { KeyRule } from "~/kv/key-rule";
import type { Expectation, Overlay, RuleOverlay } from "~/cache/types";
import { markOf } from "../../../tests/helpers/marks";
import { keyConfirms, keyMatchesRule } from "./marks.server";

const NOW_S = 1_900_000_000;

function mark(expected: Expectation | null, intent: Overlay<KeyInfo>["intent"] = "update"): Overlay<KeyInfo> {
  return markOf<KeyInfo>({ resourceId: "k", intent, status: intent === "create" ? "creating" : "updating", data: { name: "k" }, expected });
}

function rule(r: KeyRule): RuleOverlay<KeyRule> {
  return { id: 1, scope: "acc/ns", opId: "op", rule: r, status: "deleting", progress: null, message: null, createdAt: 0, expiresAt: 1 };
}

describe("keyConfirms: metadata", () => {
  test("equal metadata confirms whatever the order of object keys, at every depth", () => {
    const expected = { a: 1, b: { x: [1, { p: true, q: null }], y: "s" }, c: "z" };
    const listed = { c: "z", b: { y: "s", x: [1, { q: null, p: true }] }, a: 1 };
    expect(keyConfirms({ name: "k", metadata: listed }, mark({ metadata: expected }))).toBe(true);
  });

  test("a different value, an extra field, a missing field or reordered array items do not confirm", () => {
    const m = mark({ metadata: { a: 1, tags: ["x", "y"] } });
    expect(keyConfirms({ name: "k", metadata: { a: 2, tags: ["x", "y"] } }, m)).toBe(false);
    expect(keyConfirms({ name: "k", metadata: { a: 1, tags: ["x", "y"], b: 0 } }, m)).toBe(false);
    expect(keyConfirms({ name: "k", metadata: { tags: ["x", "y"] } }, m)).toBe(false);
    // Arrays are ordered: only object keys may come in any order.
    expect(keyConfirms({ name: "k", metadata: { a: 1, tags: ["y", "x"] } }, m)).toBe(false);
    // "1" is not 1.
    expect(keyConfirms({ name: "k", metadata: { a: "1", tags: ["x", "y"] } }, m)).toBe(false);
  });

  test("expected no metadata (null) is confirmed by a key listed without metadata, refused by one with", () => {
    const m = mark({ metadata: null });
    expect(keyConfirms({ name: "k" }, m)).toBe(true);
    expect(keyConfirms({ name: "k", metadata: { old: true } }, m)).toBe(false);
  });

  test("expected metadata is not confirmed by a key still listed without any (the old state)", () => {
    expect(keyConfirms({ name: "k" }, mark({ metadata: { v: 2 } }))).toBe(false);
  });

  test("scalar metadata compares by value", () => {
    expect(keyConfirms({ name: "k", metadata: "tag" }, mark({ metadata: "tag" }))).toBe(true);
    expect(keyConfirms({ name: "k", metadata: 0 }, mark({ metadata: 0 }))).toBe(true);
    // 0 is metadata, not "none".
    expect(keyConfirms({ name: "k" }, mark({ metadata: 0 }))).toBe(false);
  });

  test("an expectation that does not mention metadata ignores it", () => {
    expect(keyConfirms({ name: "k", metadata: { any: 1 } }, mark({ expiration: null }))).toBe(true);
  });
});

describe("keyConfirms: expiration", () => {
  test("an absolute expiry confirms within ±5 s (the upstream computes TTLs at its own clock), not beyond", () => {
    const m = mark({ expiration: NOW_S + 3600 });
    for (const delta of [-5, -1, 0, 1, 5])
      expect(keyConfirms({ name: "k", expiration: NOW_S + 3600 + delta }, m), `delta ${delta}`).toBe(true);
    for (const delta of [-6, 6, 60, -3600])
      expect(keyConfirms({ name: "k", expiration: NOW_S + 3600 + delta }, m), `delta ${delta}`).toBe(false);
  });

  test("an expected expiry is not confirmed by a key listed without one (the old state)", () => {
    expect(keyConfirms({ name: "k" }, mark({ expiration: NOW_S + 3600 }))).toBe(false);
  });

  test("expected null expiration requires that none is listed", () => {
    const m = mark({ expiration: null });
    expect(keyConfirms({ name: "k" }, m)).toBe(true);
    expect(keyConfirms({ name: "k", expiration: NOW_S + 3600 }, m)).toBe(false);
  });

  test("null expiration and metadata are both required: one matching is not enough", () => {
    const m = mark({ metadata: { v: 2 }, expiration: null });
    expect(keyConfirms({ name: "k", metadata: { v: 2 } }, m)).toBe(true);
    expect(keyConfirms({ name: "k", metadata: { v: 2 }, expiration: NOW_S + 100 }, m)).toBe(false);
    expect(keyConfirms({ name: "k", metadata: { v: 1 } }, m)).toBe(false);
  });

  test("metadata and expiry together: both must match", () => {
    const m = mark({ metadata: { v: 2 }, expiration: NOW_S + 600 });
    expect(keyConfirms({ name: "k", metadata: { v: 2 }, expiration: NOW_S + 602 }, m)).toBe(true);
    expect(keyConfirms({ name: "k", metadata: { v: 1 }, expiration: NOW_S + 600 }, m)).toBe(false);
    expect(keyConfirms({ name: "k", metadata: { v: 2 }, expiration: NOW_S + 700 }, m)).toBe(false);
  });
});

describe("keyConfirms: no expectation", () => {
  test("a mark without an expectation is confirmed as soon as the key is listed (e.g. a plain create)", () => {
    expect(keyConfirms({ name: "k", metadata: { x: 1 }, expiration: NOW_S }, mark(null, "create"))).toBe(true);
  });

  test("the value digest is not keyConfirms' business (the merge asks for a read-back)", () => {
    expect(keyConfirms({ name: "k" }, mark({ metadata: null, expiration: null, valueDigest: "abc" }))).toBe(true);
  });
});

describe("keyMatchesRule", () => {
  test("prefix", () => {
    const r = rule({ prefix: "user:" });
    expect(keyMatchesRule({ name: "user:1" }, r)).toBe(true);
    expect(keyMatchesRule({ name: "users:1" }, r)).toBe(false);
    expect(keyMatchesRule({ name: "x-user:1" }, r)).toBe(false);
  });

  test("glob matches the whole name; regex anywhere unless anchored", () => {
    const g = rule({ glob: "img/*.png" });
    expect(keyMatchesRule({ name: "img/a/b.png" }, g)).toBe(true);
    expect(keyMatchesRule({ name: "img/a.png.bak" }, g)).toBe(false);
    expect(keyMatchesRule({ name: "x/img/a.png" }, g)).toBe(false);
    const re = rule({ regex: "\\d{4}$" });
    expect(keyMatchesRule({ name: "k-0001" }, re)).toBe(true);
    expect(keyMatchesRule({ name: "k-001" }, re)).toBe(false);
  });

  test("metadata conditions read the listed metadata", () => {
    const r = rule({ metadata: [{ field: "cache-tag", op: "equals", value: "blog" }] });
    expect(keyMatchesRule({ name: "a", metadata: { "cache-tag": "blog" } }, r)).toBe(true);
    expect(keyMatchesRule({ name: "a", metadata: { "cache-tag": "shop" } }, r)).toBe(false);
    expect(keyMatchesRule({ name: "a" }, r)).toBe(false);
  });

  test("expiringBefore matches keys expiring strictly before it; keys that never expire never match", () => {
    const r = rule({ expiringBefore: NOW_S });
    expect(keyMatchesRule({ name: "a", expiration: NOW_S - 1 }, r)).toBe(true);
    expect(keyMatchesRule({ name: "a", expiration: NOW_S }, r)).toBe(false);
    expect(keyMatchesRule({ name: "a" }, r)).toBe(false);
  });

  test("conditions are AND-ed", () => {
    const r = rule({ prefix: "s:", metadata: [{ field: "t", op: "exists" }] });
    expect(keyMatchesRule({ name: "s:1", metadata: { t: 0 } }, r)).toBe(true);
    expect(keyMatchesRule({ name: "s:1" }, r)).toBe(false);
    expect(keyMatchesRule({ name: "x:1", metadata: { t: 0 } }, r)).toBe(false);
  });

  test("an empty rule matches every key", () => {
    expect(keyMatchesRule({ name: "anything" }, rule({}))).toBe(true);
  });

  test("each rule overlay is judged by its own rule, even when checked alternately (no cross-talk in the compiled cache)", () => {
    const a = rule({ prefix: "a" });
    const b = rule({ prefix: "b" });
    for (let i = 0; i < 3; i++) {
      expect(keyMatchesRule({ name: "a1" }, a)).toBe(true);
      expect(keyMatchesRule({ name: "a1" }, b)).toBe(false);
      expect(keyMatchesRule({ name: "b1" }, b)).toBe(true);
      expect(keyMatchesRule({ name: "b1" }, a)).toBe(false);
    }
  });
});
