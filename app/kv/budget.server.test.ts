// The shared request budget: never more than N sends in any window, jobs kept to their share,
// people first, 429s honoured by everyone, waits that can be given up.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { UpstreamError } from "./errors";
import { BudgetRegistry, RequestBudget, budgetsFromEnv, describeBudget, parseBudget } from "./budget.server";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(1_700_000_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

const budgetOf = (requests: number, windowMs: number, jobShare = 0.9) =>
  new RequestBudget({ requests, windowMs }, { jobShare, safetyMs: 0 });

/** Starts `n` acquisitions and reports which have been granted so far. */
function race(budget: RequestBudget, lane: "interactive" | "job", n: number) {
  const granted: number[] = [];
  const done = Array.from({ length: n }, (_, i) => budget.acquire(lane).then(() => granted.push(i)));
  return { granted, done };
}

describe("parseBudget", () => {
  test("reads the KVDECK_UPSTREAM_BUDGET forms", () => {
    expect(parseBudget("1200/300s")).toEqual({ requests: 1200, windowMs: 300_000 });
    expect(parseBudget("2000/10s")).toEqual({ requests: 2000, windowMs: 10_000 });
    expect(parseBudget("100/1m")).toEqual({ requests: 100, windowMs: 60_000 });
    expect(parseBudget("5/500ms")).toEqual({ requests: 5, windowMs: 500 });
    expect(parseBudget(undefined)).toEqual({ requests: 1200, windowMs: 300_000 });
    expect(parseBudget("off")).toBeNull();
    expect(() => parseBudget("fast")).toThrow(/KVDECK_UPSTREAM_BUDGET/);
    expect(describeBudget({ requests: 1200, windowMs: 300_000 })).toBe("1200/300s");
  });
});

describe("RequestBudget", () => {
  test("never more than N sends in any window, whatever the demand", async () => {
    const budget = budgetOf(10, 1000, 1);
    const sends: number[] = [];
    const all = Array.from({ length: 35 }, () => budget.acquire("job").then(() => sends.push(Date.now())));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(all);
    expect(sends).toHaveLength(35);
    for (let i = 10; i < sends.length; i++) expect(sends[i] - sends[i - 10]).toBeGreaterThanOrEqual(1000);
    // As fast as the budget allows: bursts of 10 at 0, 1000, 2000, 3000 ms.
    expect(sends[34] - sends[0]).toBeLessThanOrEqual(3_010);
  });

  test("jobs fill at most their share of a window; people get the rest at once", async () => {
    const budget = budgetOf(10, 1000, 0.8);
    const jobs = race(budget, "job", 10);
    await vi.advanceTimersByTimeAsync(0);
    expect(jobs.granted).toHaveLength(8);
    const people = race(budget, "interactive", 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(people.granted).toHaveLength(2);
    expect(budget.stats()).toMatchObject({ used: 10, jobLimit: 8, waiting: { job: 2, interactive: 0 } });
    await vi.advanceTimersByTimeAsync(1_001);
    expect(jobs.granted).toHaveLength(10);
  });

  test("a waiting person goes before waiting jobs", async () => {
    const budget = budgetOf(4, 1000, 1);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) await budget.acquire("job");
    const jobs = Array.from({ length: 3 }, (_, i) => budget.acquire("job").then(() => order.push(`job${i}`)));
    await vi.advanceTimersByTimeAsync(10);
    const person = budget.acquire("interactive").then(() => order.push("person"));
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([...jobs, person]);
    expect(order[0]).toBe("person");
  });

  test("a person gives up with rate_limited (and a Retry-After) rather than wait long", async () => {
    const budget = budgetOf(2, 60_000, 1);
    await budget.acquire("interactive");
    await budget.acquire("interactive");
    const error = await budget.acquire("interactive", { maxWaitMs: 5_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: "rate_limited", details: { retryAfterSeconds: 60 } });
  });

  test("after a 429 nobody sends until Retry-After has passed", async () => {
    const budget = budgetOf(100, 1000);
    budget.block(Date.now() + 2_000);
    const job = race(budget, "job", 1);
    const person = race(budget, "interactive", 1);
    await vi.advanceTimersByTimeAsync(1_990);
    expect([job.granted.length, person.granted.length]).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(20);
    expect([job.granted.length, person.granted.length]).toEqual([1, 1]);
  });

  test("a job stops waiting when its signal aborts", async () => {
    const budget = budgetOf(1, 10_000);
    await budget.acquire("job");
    const controller = new AbortController();
    const waiting = budget.acquire("job", { signal: controller.signal });
    controller.abort(new Error("paused"));
    await expect(waiting).rejects.toThrow("paused");
    expect(budget.stats().waiting.job).toBe(0);
  });

  test("one budget per token", () => {
    const registry = new BudgetRegistry({ requests: 10, windowMs: 1000 });
    expect(registry.forToken("a")).toBe(registry.forToken("a"));
    expect(registry.forToken("a")).not.toBe(registry.forToken("b"));
    expect(new BudgetRegistry(null).forToken("a")).toBeNull();
  });
});

describe("budgetsFromEnv", () => {
  test("Cloudflare's budget for Cloudflare; the local KV API's own limit for it; one explicit budget for all", () => {
    const unset = budgetsFromEnv({});
    expect(unset.specFor("cloudflare")).toEqual({ requests: 1200, windowMs: 300_000 });
    expect(unset.specFor("local")).toBeNull();
    expect(budgetsFromEnv({ KVDECK_RATE_LIMIT: "100/10s" }).specFor("local")).toEqual({ requests: 100, windowMs: 10_000 });
    const explicit = budgetsFromEnv({ KVDECK_UPSTREAM_BUDGET: "2000/10s", KVDECK_RATE_LIMIT: "100/10s" });
    expect(explicit.specFor("local")).toEqual({ requests: 2000, windowMs: 10_000 });
    expect(explicit.specFor("cloudflare")).toEqual({ requests: 2000, windowMs: 10_000 });
    expect(budgetsFromEnv({ KVDECK_UPSTREAM_BUDGET: "off" }).forToken("t")).toBeNull();
  });
});
