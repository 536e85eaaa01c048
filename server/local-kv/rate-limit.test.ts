import { describe, expect, it } from "vitest";
import { RateLimit, parseRateLimit } from "./rate-limit";

describe("parseRateLimit", () => {
  it.each([
    ["1200/300s", { requests: 1200, windowMs: 300_000 }],
    ["10/1s", { requests: 10, windowMs: 1000 }],
    ["100/60s", { requests: 100, windowMs: 60_000 }],
    ["100/60", { requests: 100, windowMs: 60_000 }],
    ["5/2m", { requests: 5, windowMs: 120_000 }],
    ["50/500ms", { requests: 50, windowMs: 500 }],
    [" 7 / 3s ", { requests: 7, windowMs: 3000 }],
  ])("parses %s", (text, spec) => {
    expect(parseRateLimit(text)).toEqual(spec);
  });

  it.each(["off", "OFF", "none", "0", "", undefined, null])("treats %s as no limit", (text) => {
    expect(parseRateLimit(text)).toBeNull();
  });

  it.each(["lots", "10", "10/", "/10s", "0/1s", "10/0s", "10/1d", "-1/1s", "1.5/1s"])("refuses %s", (text) => {
    expect(() => parseRateLimit(text)).toThrow(/invalid rate limit/);
  });
});

describe("RateLimit (sliding window)", () => {
  function limiter(spec: string) {
    let now = 1_000_000;
    const limit = new RateLimit(parseRateLimit(spec)!, () => now);
    return { limit, advance: (ms: number) => (now += ms) };
  }

  it("accepts the budget, refuses the next with the whole seconds until one is accepted", () => {
    const { limit, advance } = limiter("3/10s");
    expect(limit.take("t")).toEqual({ ok: true });
    advance(4000);
    expect(limit.take("t")).toEqual({ ok: true });
    expect(limit.take("t")).toEqual({ ok: true });
    advance(1000);
    // The oldest request (at 0) leaves the window at 10 s; now is 5 s: 5 s to wait.
    expect(limit.take("t")).toEqual({ ok: false, retryAfterSeconds: 5 });
    advance(4500);
    expect(limit.take("t")).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(500);
    expect(limit.take("t")).toEqual({ ok: true });
    // The two from 4 s are still in the window until 14 s.
    expect(limit.take("t")).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it("does not let a burst straddle a window boundary (unlike a fixed window)", () => {
    const { limit, advance } = limiter("4/10s");
    advance(9000);
    for (let i = 0; i < 4; i++) expect(limit.take("t").ok).toBe(true);
    advance(1001); // a fixed window would have reset here
    expect(limit.take("t").ok).toBe(false);
  });

  it("does not count refused requests, and keeps one budget per token", () => {
    const { limit, advance } = limiter("2/1s");
    limit.take("a");
    limit.take("a");
    for (let i = 0; i < 50; i++) expect(limit.take("a").ok).toBe(false);
    expect(limit.take("b").ok).toBe(true);
    advance(1000);
    expect(limit.take("a").ok).toBe(true);
    expect(limit.take("a").ok).toBe(true);
    expect(limit.take("a").ok).toBe(false);
  });

  it("never answers Retry-After 0", () => {
    const { limit, advance } = limiter("1/1s");
    limit.take("t");
    advance(999);
    expect(limit.take("t")).toEqual({ ok: false, retryAfterSeconds: 1 });
  });
});
