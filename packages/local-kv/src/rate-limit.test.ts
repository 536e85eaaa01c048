import { describe, expect, it } from "vitest";
import { RateLimit, describeRateLimit, parseRateLimit } from "./rate-limit";

describe("parseRateLimit", () => {
  it.each([
    ["1200/300s", { requests: 1200, windowMs: 300_000 }],
    ["10/1s", { requests: 10, windowMs: 1000 }],
    ["100/60s", { requests: 100, windowMs: 60_000 }],
    ["100/60", { requests: 100, windowMs: 60_000 }],
    ["5/2m", { requests: 5, windowMs: 120_000 }],
    ["50/1500ms", { requests: 50, windowMs: 1500 }],
    [" 7 / 3s ", { requests: 7, windowMs: 3000 }],
    ["1200/300s,lockout=300s", { requests: 1200, windowMs: 300_000, lockoutMs: 300_000 }],
    ["10/1s, lockout = 5m", { requests: 10, windowMs: 1000, lockoutMs: 300_000 }],
    ["10/1s,lockout=90", { requests: 10, windowMs: 1000, lockoutMs: 90_000 }],
  ])("parses %s", (text, spec) => {
    expect(parseRateLimit(text)).toEqual(spec);
  });

  it.each(["off", "OFF", "none", "0", "", undefined, null])("treats %s as no limit", (text) => {
    expect(parseRateLimit(text)).toBeNull();
  });

  it.each([
    ["lots", /expected e\.g\. 1200\/300s/],
    ["10", /expected/],
    ["10/", /expected/],
    ["/10s", /expected/],
    ["10/1d", /expected/],
    ["-1/1s", /expected/],
    ["1.5/1s", /expected/],
    ["0/1s", /at least 1 request/],
    ["0/300s,lockout=300s", /at least 1 request/],
    ["10/0s", /window is at least 1 s/],
    ["50/500ms", /window is at least 1 s/],
    ["10/1s,lockout=0s", /lockout is at least 1 s/],
    ["10/1s,lockout=", /unknown option/],
    ["10/1s,burst=5", /unknown option "burst=5"/],
    ["10/1s,lockout=5s,lockout=6s", /twice/],
  ])("refuses %s", (text, why) => {
    expect(() => parseRateLimit(text)).toThrow(/invalid rate limit/);
    expect(() => parseRateLimit(text)).toThrow(why);
  });

  it("describes a spec the way KVDECK_RATE_LIMIT spells it", () => {
    expect(describeRateLimit(parseRateLimit("1200/300s,lockout=5m")!)).toBe("1200/300s,lockout=300s");
    expect(describeRateLimit(parseRateLimit("100/60")!)).toBe("100/60s");
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
    expect(limit.take("t")).toEqual({ ok: true, remaining: 2, resetSeconds: 10 });
    advance(4000);
    expect(limit.take("t")).toEqual({ ok: true, remaining: 1, resetSeconds: 6 });
    expect(limit.take("t")).toEqual({ ok: true, remaining: 0, resetSeconds: 6 });
    advance(1000);
    // The oldest request (at 0) leaves the window at 10 s; now is 5 s: 5 s to wait.
    expect(limit.take("t")).toMatchObject({ ok: false, retryAfterSeconds: 5 });
    advance(4500);
    expect(limit.take("t")).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    advance(500);
    expect(limit.take("t")).toMatchObject({ ok: true, remaining: 0 });
    // The two from 4 s are still in the window until 14 s.
    expect(limit.take("t")).toMatchObject({ ok: false, retryAfterSeconds: 4 });
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
    expect(limit.take("t")).toMatchObject({ ok: false, retryAfterSeconds: 1 });
  });
});

describe("RateLimit lockout", () => {
  function limiter(spec: string) {
    let now = 1_000_000;
    const limit = new RateLimit(parseRateLimit(spec)!, () => now);
    return { limit, advance: (ms: number) => (now += ms) };
  }

  it("refuses every call for the lockout once over the limit, then applies the window again", () => {
    const { limit, advance } = limiter("3/10s,lockout=60s");
    for (let i = 0; i < 3; i++) expect(limit.take("t").ok).toBe(true);
    expect(limit.take("t")).toEqual({ ok: false, retryAfterSeconds: 60, remaining: 0, resetSeconds: 60 });
    // Without the lockout this would be accepted: the window has long passed.
    advance(15_000);
    expect(limit.take("t")).toEqual({ ok: false, retryAfterSeconds: 45, remaining: 0, resetSeconds: 45 });
    advance(44_001);
    expect(limit.take("t")).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    expect(limit.take("other").ok).toBe(true);
    advance(999);
    expect(limit.take("t")).toEqual({ ok: true, remaining: 2, resetSeconds: 10 });
  });

  it("sends Cloudflare's Ratelimit and Ratelimit-Policy headers, and Retry-After on a refusal", () => {
    const { limit, advance } = limiter("2/300s,lockout=300s");
    expect(limit.headers(limit.take("t"))).toEqual({ ratelimit: '"default";r=1;t=300', "ratelimit-policy": '"burst";q=2;w=300' });
    advance(1000);
    expect(limit.headers(limit.take("t"))).toEqual({ ratelimit: '"default";r=0;t=299', "ratelimit-policy": '"burst";q=2;w=300' });
    expect(limit.headers(limit.take("t"))).toEqual({
      ratelimit: '"default";r=0;t=300',
      "ratelimit-policy": '"burst";q=2;w=300',
      "retry-after": "300",
    });
  });
});
