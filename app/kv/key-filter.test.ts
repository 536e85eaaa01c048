import { describe, expect, test } from "vitest";
import { compileRule } from "./key-rule";
import { expiryChoice, filterSearch, parseUtcTime, ruleFromSearch, startKey } from "./key-filter";

const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0);
const NOW_S = NOW_MS / 1000;
const read = (query: string) => ruleFromSearch(new URLSearchParams(query), NOW_MS);

describe("the expiry filter in the URL", () => {
  test("expiry=before with a UTC time: keys expiring before it", () => {
    const { rule, error } = read("expiry=before&expiresBefore=2026-12-31T18:00");
    expect(error).toBeNull();
    expect(rule).toEqual({ expiringBefore: Date.UTC(2026, 11, 31, 18, 0) / 1000 });
    const matches = compileRule(rule);
    expect(matches({ name: "a", expiration: Date.UTC(2026, 11, 31, 17, 59) / 1000 })).toBe(true);
    expect(matches({ name: "a", expiration: Date.UTC(2026, 11, 31, 18, 0) / 1000 })).toBe(false);
    expect(matches({ name: "a" })).toBe(false);
  });

  test("expiry=expired: keys whose expiration is before the moment the URL is read", () => {
    const { rule, error } = read("prefix=s:&expiry=expired");
    expect(error).toBeNull();
    expect(rule).toEqual({ prefix: "s:", expiringBefore: NOW_S });
    expect(compileRule(rule)({ name: "s:1", expiration: NOW_S - 1 })).toBe(true);
    expect(compileRule(rule)({ name: "s:1", expiration: NOW_S + 60 })).toBe(false);
  });

  test("expiry=never: only keys without an expiration", () => {
    const { rule, error } = read("expiry=never");
    expect(error).toBeNull();
    expect(rule).toEqual({ noExpiry: true });
    expect(compileRule(rule)({ name: "a" })).toBe(true);
    expect(compileRule(rule)({ name: "a", expiration: NOW_S + 60 })).toBe(false);
  });

  test("a missing or broken time, or an unknown choice, is a clear error and leaves only the prefix", () => {
    expect(read("prefix=p&expiry=before")).toEqual({ rule: { prefix: "p" }, error: "Give the time for “expiring before”." });
    expect(read("expiry=before&expiresBefore=tomorrow").error).toMatch(/“tomorrow” is not a time/);
    expect(read("expiry=before&expiresBefore=2026-02-31").error).toMatch(/is not a time/);
    expect(read("expiry=soon").error).toBe("Unknown expiry filter “soon”: use before, from, between, expired, never.");
    expect(read("expiry=between&expiresBefore=2026-12-31T18:00").error).toBe("Give the time for “expiring from”.");
    expect(read("expiry=between&expiresFrom=2026-12-31T18:00").error).toBe("Give the time for “expiring before”.");
    expect(read("prefix=p&expiry=between&expiresFrom=2026-12-31T18:00&expiresBefore=2026-12-31T18:00")).toEqual({
      rule: { prefix: "p" },
      error: "The start of the expiry range must be before its end.",
    });
  });

  test("expiry=between: from inclusive, before exclusive; expiry=from: at or after", () => {
    const from = Date.UTC(2026, 11, 2, 0, 0, 1) / 1000;
    const before = Date.UTC(2026, 11, 3, 0, 0, 1) / 1000;
    const between = read("expiry=between&expiresFrom=2026-12-02T00:00:01&expiresBefore=2026-12-03T00:00:01");
    expect(between).toEqual({ rule: { expiringFrom: from, expiringBefore: before }, error: null });
    const inRange = compileRule(between.rule);
    expect([from - 1, from, before - 1, before].map((expiration) => inRange({ name: "k", expiration }))).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(inRange({ name: "k" })).toBe(false);

    const after = read("expiry=from&expiresFrom=2026-12-02T00:00:01");
    expect(after).toEqual({ rule: { expiringFrom: from }, error: null });
    expect([from - 1, from, from + 10 ** 8].map((expiration) => compileRule(after.rule)({ name: "k", expiration }))).toEqual([
      false,
      true,
      true,
    ]);
    expect(compileRule(after.rule)({ name: "k" })).toBe(false);
  });

  test("the filter parameters carry the expiry, and the time only with expiry=before", () => {
    expect(filterSearch(new URLSearchParams("expiry=before&expiresBefore=2026-12-31T18:00&name=k&cursor=x")).toString()).toBe(
      "expiry=before&expiresBefore=2026-12-31T18%3A00",
    );
    expect(filterSearch(new URLSearchParams("expiry=never&expiresBefore=2026-12-31T18:00")).toString()).toBe("expiry=never");
    expect(filterSearch(new URLSearchParams("expiry=before&expiresFrom=2026-12-01&expiresBefore=2026-12-31")).toString()).toBe(
      "expiry=before&expiresBefore=2026-12-31",
    );
    expect(filterSearch(new URLSearchParams("expiry=from&expiresFrom=2026-12-01&expiresBefore=2026-12-31")).toString()).toBe(
      "expiry=from&expiresFrom=2026-12-01",
    );
    expect(filterSearch(new URLSearchParams("expiry=between&expiresFrom=2026-12-01&expiresBefore=2026-12-31")).toString()).toBe(
      "expiry=between&expiresFrom=2026-12-01&expiresBefore=2026-12-31",
    );
    expect(expiryChoice(new URLSearchParams("expiry=expired"))).toBe("expired");
    expect(expiryChoice(new URLSearchParams("expiry=later"))).toBeNull();
  });
});

test("parseUtcTime reads dates and times as UTC unless a zone is given", () => {
  expect(parseUtcTime("2026-12-31")).toBe(Date.UTC(2026, 11, 31) / 1000);
  expect(parseUtcTime("2026-12-31T18:00:30")).toBe(Date.UTC(2026, 11, 31, 18, 0, 30) / 1000);
  expect(parseUtcTime("2026-12-31T18:00+02:00")).toBe(Date.UTC(2026, 11, 31, 16, 0) / 1000);
  expect(parseUtcTime("2026-12-31T25:00")).toBeNull();
  expect(parseUtcTime("31/12/2026")).toBeNull();
});

test("a jump's key (from=) is kept with the filter, and one longer than a key can be is not a jump", () => {
  const search = new URLSearchParams({ prefix: "a/", from: "a/m", cursor: "x" });
  expect(startKey(search)).toBe("a/m");
  expect(filterSearch(search).toString()).toBe("prefix=a%2F&from=a%2Fm");
  expect(startKey(new URLSearchParams({ from: "" }))).toBeNull();
  expect(startKey(new URLSearchParams({ from: "k".repeat(513) }))).toBeNull();
  expect(filterSearch(new URLSearchParams({ from: "k".repeat(513) })).toString()).toBe("");
});
