// The REST request budget (Cloudflare: 1,200 requests per 5 minutes per token), so that clients
// meet 429 + Retry-After locally the way they will against the real API, with Cloudflare's
// `Ratelimit` / `Ratelimit-Policy` headers on every answer and, as an option, its lockout: past the
// limit, every call is refused until the lockout has passed.
//
// A sliding-window log rather than a fixed window: a fixed window lets a client burst 2× the
// budget across a window boundary and would make Retry-After jump with the boundary, which hides
// exactly the pacing bugs this exists to surface. The log holds at most `requests` timestamps per
// token (1,200 by default), so it costs little.

export interface RateLimitSpec {
  requests: number;
  windowMs: number;
  /** With a lockout, going over the limit refuses every call for this long (Cloudflare: 5 minutes). */
  lockoutMs?: number;
}

export type RateLimitDecision =
  { ok: true; remaining: number; resetSeconds: number } | { ok: false; retryAfterSeconds: number; remaining: 0; resetSeconds: number };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+)\s*(ms|s|m|h)?$/;
const EXAMPLES = "expected e.g. 1200/300s, 1200/300s,lockout=300s or off";

/**
 * Parses `1200/300s`, `10/1s`, `100/60s`, `5/2m`, a bare number of seconds (`100/60`), optionally
 * followed by `,lockout=300s` (also `ms`, `m`, `h`; a bare number is seconds). `off`, `none`, `0`
 * or an empty string mean no limit (null). Throws on anything else, including 0 requests, a
 * window under one second (Ratelimit headers count whole seconds) or a lockout of 0.
 */
export function parseRateLimit(text: string | undefined | null): RateLimitSpec | null {
  const s = (text ?? "").trim().toLowerCase();
  if (s === "" || s === "off" || s === "none" || s === "0") return null;
  const invalid = (why: string) => new Error(`invalid rate limit "${text}": ${why}`);
  const [budget, ...options] = s.split(",").map((part) => part.trim());
  const m = /^(\d+)\s*\/\s*(\d+\s*(?:ms|s|m|h)?)$/.exec(budget);
  if (!m) throw invalid(EXAMPLES);
  const requests = Number(m[1]);
  const windowMs = durationMs(m[2]);
  if (requests < 1) throw invalid("allow at least 1 request per window");
  if (windowMs < 1000) throw invalid("the window is at least 1 s");
  const spec: RateLimitSpec = { requests, windowMs };
  for (const option of options) {
    const o = /^lockout\s*=\s*(.+)$/.exec(option);
    if (!o || !DURATION.test(o[1])) throw invalid(`unknown option "${option}"; ${EXAMPLES}`);
    if (spec.lockoutMs !== undefined) throw invalid("lockout is given twice");
    const lockoutMs = durationMs(o[1]);
    if (lockoutMs < 1000) throw invalid("a lockout is at least 1 s");
    spec.lockoutMs = lockoutMs;
  }
  return spec;
}

function durationMs(text: string): number {
  const m = DURATION.exec(text.trim())!;
  return Number(m[1]) * UNIT_MS[m[2] ?? "s"];
}

/** `1200/300s` or `1200/300s,lockout=300s`: the spec as KVDECK_RATE_LIMIT spells it. */
export function describeRateLimit(spec: RateLimitSpec): string {
  const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  return `${spec.requests}/${seconds(spec.windowMs)}${spec.lockoutMs === undefined ? "" : `,lockout=${seconds(spec.lockoutMs)}`}`;
}

const wholeSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class RateLimit {
  /** Accepted request times per key, oldest first. Rejected requests are not recorded. */
  private readonly log = new Map<string, number[]>();
  /** Per key: when its lockout ends (epoch ms). */
  private readonly lockedUntil = new Map<string, number>();

  constructor(
    readonly spec: RateLimitSpec,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key` if the budget allows it. */
  take(key: string): RateLimitDecision {
    const now = this.now();
    const locked = this.lockedUntil.get(key);
    if (locked !== undefined) {
      if (locked > now) return this.refuse(locked - now);
      this.lockedUntil.delete(key);
    }
    const times = this.log.get(key) ?? [];
    const horizon = now - this.spec.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop] <= horizon) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length < this.spec.requests) {
      times.push(now);
      this.log.set(key, times);
      // The quota grows again when the oldest request in the window leaves it.
      return { ok: true, remaining: this.spec.requests - times.length, resetSeconds: wholeSeconds(times[0] + this.spec.windowMs - now) };
    }
    if (this.spec.lockoutMs !== undefined) {
      this.lockedUntil.set(key, now + this.spec.lockoutMs);
      return this.refuse(this.spec.lockoutMs);
    }
    // The oldest accepted request leaves the window at times[0] + windowMs; a request is accepted
    // once that moment has passed. Whole seconds, rounded up, as Retry-After requires.
    return this.refuse(times[0] + this.spec.windowMs - now);
  }

  private refuse(waitMs: number): RateLimitDecision {
    const seconds = wholeSeconds(waitMs);
    return { ok: false, retryAfterSeconds: seconds, remaining: 0, resetSeconds: seconds };
  }

  /**
   * Cloudflare's headers for a decision: `Ratelimit: "default";r=<remaining>;t=<seconds until the
   * quota grows>` and `Ratelimit-Policy: "burst";q=<quota>;w=<window seconds>` (the policy name as
   * Cloudflare sends it), plus `Retry-After` on a refusal.
   */
  headers(decision: RateLimitDecision): Record<string, string> {
    const headers: Record<string, string> = {
      ratelimit: `"default";r=${decision.remaining};t=${decision.resetSeconds}`,
      "ratelimit-policy": `"burst";q=${this.spec.requests};w=${Math.ceil(this.spec.windowMs / 1000)}`,
    };
    if (!decision.ok) headers["retry-after"] = String(decision.retryAfterSeconds);
    return headers;
  }

  reset(): void {
    this.log.clear();
    this.lockedUntil.clear();
  }

  describe(): string {
    const lockout = this.spec.lockoutMs === undefined ? "" : `, locked out for ${this.spec.lockoutMs / 1000} s past it`;
    return `${this.spec.requests} requests per ${this.spec.windowMs / 1000} s${lockout}`;
  }
}
