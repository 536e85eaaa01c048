// The REST request budget (Cloudflare: 1,200 requests per 5 minutes per token), so that clients
// meet 429 + Retry-After locally the way they will against the real API.
//
// A sliding-window log rather than a fixed window: a fixed window lets a client burst 2× the
// budget across a window boundary and would make Retry-After jump with the boundary, which hides
// exactly the pacing bugs this exists to surface. The log holds at most `requests` timestamps per
// token (1,200 by default), so it costs little.

export interface RateLimitSpec {
  requests: number;
  windowMs: number;
}

export type RateLimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `1200/300s`, `10/1s`, `100/60s`, `5/2m`, `50/500ms`; a bare number of seconds works too
 * (`100/60`). `off`, `none`, `0` or an empty string mean no limit (null). Throws on anything else.
 */
export function parseRateLimit(text: string | undefined | null): RateLimitSpec | null {
  const s = (text ?? "").trim().toLowerCase();
  if (s === "" || s === "off" || s === "none" || s === "0") return null;
  const m = /^(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Error(`invalid rate limit "${text}": expected e.g. 1200/300s, 10/1s or off`);
  const requests = Number(m[1]);
  const windowMs = Number(m[2]) * UNIT_MS[m[3] ?? "s"];
  if (requests < 1 || windowMs < 1) throw new Error(`invalid rate limit "${text}": both numbers must be positive`);
  return { requests, windowMs };
}

export class RateLimit {
  /** Accepted request times per key, oldest first. Rejected requests are not recorded. */
  private readonly log = new Map<string, number[]>();

  constructor(
    readonly spec: RateLimitSpec,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key` if the budget allows it. */
  take(key: string): RateLimitDecision {
    const now = this.now();
    const times = this.log.get(key) ?? [];
    const horizon = now - this.spec.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop] <= horizon) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length < this.spec.requests) {
      times.push(now);
      this.log.set(key, times);
      return { ok: true };
    }
    // The oldest accepted request leaves the window at times[0] + windowMs; a request is accepted
    // once that moment has passed. Whole seconds, rounded up, as Retry-After requires.
    const waitMs = times[0] + this.spec.windowMs - now;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  reset(): void {
    this.log.clear();
  }

  describe(): string {
    return `${this.spec.requests} requests per ${this.spec.windowMs / 1000} s`;
  }
}
