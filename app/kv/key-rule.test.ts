import { describe, expect, test } from "vitest";
import { compileRule, describeRule, globToRegExp, keyRuleSchema } from "./key-rule";

const key = (name: string, metadata?: unknown, expiration?: number) => ({ name, metadata, expiration });

describe("compileRule", () => {
  test("prefix, glob and regex on the name", () => {
    expect(compileRule({ prefix: "user:" })(key("user:1"))).toBe(true);
    expect(compileRule({ prefix: "user:" })(key("users:1"))).toBe(false);
    expect(compileRule({ glob: "session:*:cart" })(key("session:ab:cart"))).toBe(true);
    expect(compileRule({ glob: "session:*:cart" })(key("session:ab:cart2"))).toBe(false);
    expect(compileRule({ glob: "img/thumb-00?[0-3].png" })(key("img/thumb-0012.png"))).toBe(true);
    expect(compileRule({ glob: "img/thumb-00?[0-3].png" })(key("img/thumb-0019.png"))).toBe(false);
    expect(compileRule({ glob: "a.b" })(key("axb"))).toBe(false);
    expect(compileRule({ regex: "^flag:.*\\.(on|off)$" })(key("flag:x.on"))).toBe(true);
  });

  test("metadata equals, contains and exists, nested fields and arrays", () => {
    const md = { "cache-tag": "blog", status: 200, tags: ["a", "b"], owner: { team: "growth" } };
    expect(compileRule({ metadata: [{ field: "cache-tag", op: "equals", value: "blog" }] })(key("k", md))).toBe(true);
    expect(compileRule({ metadata: [{ field: "cache-tag", op: "equals", value: "blo" }] })(key("k", md))).toBe(false);
    expect(compileRule({ metadata: [{ field: "status", op: "equals", value: "200" }] })(key("k", md))).toBe(true);
    expect(compileRule({ metadata: [{ field: "cache-tag", op: "contains", value: "lo" }] })(key("k", md))).toBe(true);
    expect(compileRule({ metadata: [{ field: "tags", op: "contains", value: "b" }] })(key("k", md))).toBe(true);
    expect(compileRule({ metadata: [{ field: "tags", op: "contains", value: "c" }] })(key("k", md))).toBe(false);
    expect(compileRule({ metadata: [{ field: "owner.team", op: "equals", value: "growth" }] })(key("k", md))).toBe(true);
    expect(compileRule({ metadata: [{ field: "missing", op: "exists" }] })(key("k", md))).toBe(false);
    expect(compileRule({ metadata: [{ field: "status", op: "exists" }] })(key("k"))).toBe(false);
  });

  test("expiring before, and conditions combine with AND", () => {
    const rule = compileRule({ prefix: "s:", expiringBefore: 1000 });
    expect(rule(key("s:1", undefined, 999))).toBe(true);
    expect(rule(key("s:1", undefined, 1000))).toBe(false);
    expect(rule(key("s:1"))).toBe(false);
    expect(rule(key("t:1", undefined, 10))).toBe(false);
  });

  test("no expiry matches only keys without an expiration, and cannot be combined with expiring before", () => {
    expect(compileRule({ noExpiry: true })(key("a"))).toBe(true);
    expect(compileRule({ noExpiry: true })(key("a", undefined, 1000))).toBe(false);
    expect(keyRuleSchema.safeParse({ noExpiry: true, expiringBefore: 1000 }).success).toBe(false);
    expect(describeRule({ prefix: "s:", noExpiry: true })).toBe("prefix “s:” and never expiring");
  });
});

test("the schema refuses a broken regular expression and a comparison without a value", () => {
  expect(keyRuleSchema.safeParse({ regex: "(" }).success).toBe(false);
  expect(keyRuleSchema.safeParse({ metadata: [{ field: "a", op: "equals" }] }).success).toBe(false);
  expect(keyRuleSchema.safeParse({ metadata: [{ field: "a", op: "exists" }] }).success).toBe(true);
});

test("glob escapes regular expression characters", () => {
  expect(globToRegExp("a+b(c)").test("a+b(c)")).toBe(true);
  expect(describeRule({ prefix: "a/", metadata: [{ field: "t", op: "equals", value: "x" }] })).toBe("prefix “a/” and metadata “t” = “x”");
});
