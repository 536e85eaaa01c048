// The one way kvdeck retries a request to the upstream: a 429 waits out its Retry-After (up to a
// bound), a 5xx, a timeout or a network failure backs off exponentially with full jitter (a random
// wait between zero and the exponential bound, so that many retrying requests do not come back in
// lockstep), anything else is thrown at once. The HTTP client (interactive: a few attempts, short
// waits), the bulk apply and the jobs (many attempts) differ only in their RetryPolicy.
import { UpstreamError } from "./errors";

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;

export function fullJitter(attempt: number, random: () => number = Math.random, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  return random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** What kind of failure a retry may cure: the upstream's budget (429) or a passing fault (5xx, timeout, network). */
export function retryClass(error: unknown): "rate_limited" | "transient" | null {
  if (!(error instanceof UpstreamError)) return null;
  if (error.kind === "rate_limited") return "rate_limited";
  if (error.kind === "unavailable" || error.kind === "timeout") return "transient";
  return null;
}

export interface RetryPolicy {
  /** Attempts in all, the first included (1: never retried). */
  attempts: number;
  /** Of those, at most this many may fail transiently (default: `attempts`). */
  transientAttempts?: number;
  /** A Retry-After longer than this is not waited out: the 429 is thrown (default: no bound). */
  maxRetryAfterMs?: number;
  /** The wait after the nth (0-based) transient failure; default full jitter from 500 ms. */
  backoffMs?: (failure: number) => number;
  /** Stops the waits and the retries: its reason is thrown. */
  signal?: AbortSignal;
  /** How a wait is waited (tests inject one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Sees every retryable failure before it is retried or thrown (a job slows down on a 429). */
  onFailure?: (error: UpstreamError) => void;
}

/** Runs `run` until it succeeds, fails with what no retry cures, or the policy's attempts are spent. */
export async function withRetries<T>(run: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const wait = policy.sleep ?? sleep;
  const transientAttempts = policy.transientAttempts ?? policy.attempts;
  let transient = 0;
  for (let attempt = 0; ; attempt++) {
    policy.signal?.throwIfAborted();
    try {
      return await run(attempt);
    } catch (error) {
      if (policy.signal?.aborted) throw policy.signal.reason;
      const kind = retryClass(error);
      if (kind === null) throw error;
      const failure = error as UpstreamError;
      policy.onFailure?.(failure);
      if (attempt + 1 >= policy.attempts) throw error;
      if (kind === "rate_limited") {
        const ms = (failure.details.retryAfterSeconds ?? 1) * 1000;
        if (ms > (policy.maxRetryAfterMs ?? Infinity)) throw error;
        await wait(ms, policy.signal);
      } else {
        if (++transient >= transientAttempts) throw error;
        await wait((policy.backoffMs ?? fullJitter)(transient - 1), policy.signal);
      }
    }
  }
}
