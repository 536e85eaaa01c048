// The one retry policy: what is retried, how long it waits, when it gives up. Waits are recorded.
import { describe, expect, test } from "vitest";
import { UpstreamError } from "./errors";
import { fullJitter, retryClass, withRetries, type RetryPolicy } from "./retry";

const unavailable = () => new UpstreamError("unavailable", "503");
const rateLimited = (seconds?: number) => new UpstreamError("rate_limited", "429", { status: 429, retryAfterSeconds: seconds });

/** A run that throws `failures` in order, then answers "ok"; and the waits it was made to wait. */
function scripted(failures: Error[], policy: Partial<RetryPolicy> = {}) {
  const waits: number[] = [];
  let calls = 0;
  const run = async () => {
    const failure = failures[calls++];
    if (failure) throw failure;
    return "ok";
  };
  const result = withRetries(run, { attempts: 3, backoffMs: (n) => 10 ** n, sleep: async (ms) => void waits.push(ms), ...policy });
  return { result, waits, calls: () => calls };
}

describe("withRetries", () => {
  test("a transient failure backs off, then succeeds", async () => {
    const s = scripted([unavailable(), new UpstreamError("timeout", "slow")]);
    await expect(s.result).resolves.toBe("ok");
    expect(s.waits).toEqual([1, 10]);
  });

  test("gives up after `attempts` and throws the last error", async () => {
    const s = scripted([unavailable(), unavailable(), unavailable(), unavailable()]);
    await expect(s.result).rejects.toMatchObject({ kind: "unavailable" });
    expect(s.calls()).toBe(3);
  });

  test("transientAttempts bounds transient failures apart from the 429s", async () => {
    const s = scripted([rateLimited(1), unavailable(), unavailable()], { attempts: 10, transientAttempts: 2 });
    await expect(s.result).rejects.toMatchObject({ kind: "unavailable" });
    expect(s.calls()).toBe(3);
    expect(s.waits).toEqual([1000, 1]);
  });

  test("a 429 waits out its Retry-After (1 s without one); a longer one than maxRetryAfterMs is thrown at once", async () => {
    const short = scripted([rateLimited(2), rateLimited()], { maxRetryAfterMs: 2000 });
    await expect(short.result).resolves.toBe("ok");
    expect(short.waits).toEqual([2000, 1000]);

    const long = scripted([rateLimited(3)], { maxRetryAfterMs: 2000 });
    await expect(long.result).rejects.toMatchObject({ kind: "rate_limited" });
    expect(long.calls()).toBe(1);
  });

  test("what no retry cures is thrown at once, unseen by onFailure", async () => {
    const seen: UpstreamError[] = [];
    const s = scripted([new UpstreamError("invalid", "bad"), unavailable()], { onFailure: (e) => seen.push(e) });
    await expect(s.result).rejects.toMatchObject({ kind: "invalid" });
    expect(s.calls()).toBe(1);
    expect(seen).toEqual([]);

    const plain = scripted([new Error("a bug")]);
    await expect(plain.result).rejects.toThrow("a bug");
  });

  test("onFailure sees each retryable failure, the last one included", async () => {
    const seen: string[] = [];
    const s = scripted([rateLimited(1), unavailable(), unavailable()], { onFailure: (e) => seen.push(e.kind) });
    await expect(s.result).rejects.toMatchObject({ kind: "unavailable" });
    expect(seen).toEqual(["rate_limited", "unavailable", "unavailable"]);
  });

  test("an aborted signal stops the retries with its reason", async () => {
    const controller = new AbortController();
    const s = scripted([unavailable(), unavailable()], {
      signal: controller.signal,
      sleep: async () => controller.abort(new Error("stop")),
    });
    await expect(s.result).rejects.toThrow("stop");
    expect(s.calls()).toBe(1);
  });
});

test("retryClass: 429 is rate_limited; 5xx, timeouts and network failures are transient; the rest is not retried", () => {
  expect(retryClass(rateLimited(1))).toBe("rate_limited");
  expect(retryClass(unavailable())).toBe("transient");
  expect(retryClass(new UpstreamError("timeout", "t"))).toBe("transient");
  for (const kind of ["invalid", "not_found", "unauthorized", "forbidden", "conflict", "too_large"] as const) {
    expect(retryClass(new UpstreamError(kind, kind))).toBeNull();
  }
  expect(retryClass(new Error("x"))).toBeNull();
});

test("fullJitter stays between zero and the capped exponential bound", () => {
  expect(fullJitter(0, () => 0.999, 500)).toBeLessThan(500);
  expect(fullJitter(3, () => 0.5, 500)).toBe(2000);
  expect(fullJitter(20, () => 1, 500, 30_000)).toBe(30_000);
  expect(fullJitter(5, () => 0)).toBe(0);
});
