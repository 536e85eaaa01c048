// One request budget per upstream token (Cloudflare: 1,200 requests per 5 minutes), shared by every
// interactive request and every job of this process. A sliding-window log of send times, like the
// limiter it mirrors (packages/local-kv/src/rate-limit.ts): at most `requests` sends in any `windowMs`.
//
// Two lanes: interactive requests (a person is waiting) always go first, and jobs may fill at most
// `jobShare` of a window, so browsing stays responsive while a purge runs at full speed.
import crypto from "node:crypto";
import { REST_BUDGET_REQUESTS, REST_BUDGET_WINDOW_SECONDS } from "./limits";
import { UpstreamError } from "./errors";

export interface BudgetSpec {
  requests: number;
  windowMs: number;
}

export type BudgetLane = "interactive" | "job";

/** What createHttpUpstream needs from a budget: a slot before each HTTP attempt, and word of a 429. */
export interface UpstreamBudget {
  acquire(): Promise<void>;
  /** The upstream answered 429: nobody on this token should send before Retry-After has passed. */
  rateLimited?(retryAfterSeconds: number): void;
}

export const DEFAULT_BUDGET: BudgetSpec = { requests: REST_BUDGET_REQUESTS, windowMs: REST_BUDGET_WINDOW_SECONDS * 1000 };
/** Jobs may use this share of a window; the rest is kept for people browsing. */
export const DEFAULT_JOB_SHARE = 0.9;
/** How long an interactive request waits for a slot before it answers "rate limited". */
export const INTERACTIVE_MAX_WAIT_MS = 5_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `1200/300s`, `2000/10s`, `100/1m`; a bare second count works too (`1200/300`). Null for off. */
export function parseBudget(text: string | undefined | null): BudgetSpec | null {
  const s = (text ?? "").trim().toLowerCase();
  if (s === "") return DEFAULT_BUDGET;
  if (s === "off" || s === "none") return null;
  const m = /^(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Error(`kvdeck: invalid KVDECK_UPSTREAM_BUDGET "${text}": expected e.g. 1200/300s or off`);
  const spec = { requests: Number(m[1]), windowMs: Number(m[2]) * UNIT_MS[m[3] ?? "s"] };
  if (spec.requests < 1 || spec.windowMs < 1)
    throw new Error(`kvdeck: invalid KVDECK_UPSTREAM_BUDGET "${text}": both numbers must be positive`);
  return spec;
}

export const describeBudget = (spec: BudgetSpec) =>
  `${spec.requests}/${spec.windowMs % 1000 === 0 ? `${spec.windowMs / 1000}s` : `${spec.windowMs}ms`}`;

export interface BudgetOptions {
  jobShare?: number;
  /**
   * Added to the window: the upstream counts arrival times, we count send times, and a request
   * sent at the very start of a window may arrive later than one sent at its end.
   */
  safetyMs?: number;
  now?: () => number;
}

interface Waiter {
  lane: BudgetLane;
  resolve: () => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export interface BudgetStats {
  spec: BudgetSpec;
  /** Sends in the current window. */
  used: number;
  /** The most jobs may have in a window. */
  jobLimit: number;
  waiting: Record<BudgetLane, number>;
  blockedUntil: number | null;
  /** Sends since the budget was created, per lane. */
  sent: Record<BudgetLane, number>;
}

export class RequestBudget {
  /** Send times, oldest first; never more than `spec.requests`. */
  private readonly log: number[] = [];
  private readonly waiters: Waiter[] = [];
  private blockedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private readonly sent: Record<BudgetLane, number> = { interactive: 0, job: 0 };
  readonly jobLimit: number;
  private readonly spanMs: number;
  private readonly now: () => number;

  constructor(
    readonly spec: BudgetSpec,
    options: BudgetOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.jobLimit = Math.max(1, Math.floor(spec.requests * (options.jobShare ?? DEFAULT_JOB_SHARE)));
    this.spanMs = spec.windowMs + (options.safetyMs ?? Math.min(2_000, 100 + spec.windowMs * 0.01));
  }

  /**
   * Takes one slot for `lane`, waiting for it if need be. Interactive callers give up after
   * `maxWaitMs` with an UpstreamError("rate_limited"); a job waits until its signal aborts.
   */
  acquire(lane: BudgetLane, options: { signal?: AbortSignal; maxWaitMs?: number } = {}): Promise<void> {
    const { signal, maxWaitMs } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.prune();
    if (this.waitersAhead(lane) === 0 && this.allowed(lane)) {
      this.take(lane);
      return Promise.resolve();
    }
    if (maxWaitMs !== undefined) {
      const wait = this.readyAt(lane, this.waitersAhead(lane)) - this.now();
      if (wait > maxWaitMs) {
        return Promise.reject(
          new UpstreamError("rate_limited", "The request budget of this account is spent for now.", {
            status: 429,
            retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)),
          }),
        );
      }
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { lane, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortReason(signal));
          this.pump();
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** After a 429: no lane sends before `untilMs`. */
  block(untilMs: number) {
    if (untilMs <= this.blockedUntil) return;
    this.blockedUntil = untilMs;
    this.pump();
  }

  /** The hook createHttpUpstream takes, for one lane. */
  hook(lane: BudgetLane, options: { signal?: AbortSignal; maxWaitMs?: number } = {}): UpstreamBudget {
    const maxWaitMs = options.maxWaitMs ?? (lane === "interactive" ? INTERACTIVE_MAX_WAIT_MS : undefined);
    return {
      acquire: () => this.acquire(lane, { signal: options.signal, maxWaitMs }),
      rateLimited: (seconds) => this.block(this.now() + seconds * 1000),
    };
  }

  stats(): BudgetStats {
    this.prune();
    const waiting = { interactive: 0, job: 0 };
    for (const w of this.waiters) waiting[w.lane]++;
    return {
      spec: this.spec,
      used: this.log.length,
      jobLimit: this.jobLimit,
      waiting,
      blockedUntil: this.blockedUntil > this.now() ? this.blockedUntil : null,
      sent: { ...this.sent },
    };
  }

  private prune() {
    const horizon = this.now() - this.spanMs;
    let drop = 0;
    while (drop < this.log.length && this.log[drop] <= horizon) drop++;
    if (drop) this.log.splice(0, drop);
  }

  private limitOf(lane: BudgetLane) {
    return lane === "interactive" ? this.spec.requests : this.jobLimit;
  }

  private allowed(lane: BudgetLane) {
    return this.now() >= this.blockedUntil && this.log.length < this.limitOf(lane);
  }

  private take(lane: BudgetLane) {
    this.log.push(this.now());
    this.sent[lane]++;
  }

  /** Waiters served before a new one of `lane`: every interactive waiter, and for jobs every waiter. */
  private waitersAhead(lane: BudgetLane) {
    return lane === "interactive" ? this.waiters.filter((w) => w.lane === "interactive").length : this.waiters.length;
  }

  /** When `lane` could send with `ahead` sends queued before it (an estimate for the give-up rule). */
  private readyAt(lane: BudgetLane, ahead: number): number {
    const limit = this.limitOf(lane);
    // The send that must age out is the one `limit - ahead` places from the end of the log.
    const index = this.log.length + ahead - limit;
    const windowFree = index < 0 ? this.now() : index < this.log.length ? this.log[index] + this.spanMs : this.now() + this.spanMs;
    return Math.max(windowFree, this.blockedUntil);
  }

  /** Serves waiters in priority order (interactive first, then jobs, each first come first served). */
  private pump() {
    this.prune();
    for (;;) {
      const next = this.waiters.find((w) => w.lane === "interactive") ?? this.waiters[0];
      if (!next) break;
      if (!this.allowed(next.lane)) {
        this.schedule(this.readyAt(next.lane, 0));
        return;
      }
      this.waiters.splice(this.waiters.indexOf(next), 1);
      if (next.signal && next.onAbort) next.signal.removeEventListener("abort", next.onAbort);
      this.take(next.lane);
      next.resolve();
    }
    this.clearTimer();
  }

  private schedule(at: number) {
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(1, at - this.now() + 1),
    );
    // A waiting job must not keep a finished process alive; its own promise does if it matters.
    this.timer.unref?.();
  }

  private clearTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}

export type UpstreamKind = "cloudflare" | "local";

/** One RequestBudget per upstream token, for the whole process. */
export class BudgetRegistry {
  private readonly budgets = new Map<string, RequestBudget>();
  private readonly specs: Record<UpstreamKind, BudgetSpec | null>;

  constructor(
    /** One spec for every upstream, or one per kind; null: no budget (as fast as the upstream answers). */
    spec: BudgetSpec | null | Record<UpstreamKind, BudgetSpec | null>,
    readonly options: BudgetOptions = {},
  ) {
    this.specs = spec && "cloudflare" in spec ? spec : { cloudflare: spec, local: spec };
  }

  specFor(kind: UpstreamKind): BudgetSpec | null {
    return this.specs[kind];
  }

  get jobShare(): number {
    return this.options.jobShare ?? DEFAULT_JOB_SHARE;
  }

  forToken(token: string, kind: UpstreamKind = "cloudflare"): RequestBudget | null {
    const spec = this.specs[kind];
    if (!spec) return null;
    const id = crypto.createHash("sha256").update(`${kind}:${token}`).digest("hex");
    let budget = this.budgets.get(id);
    if (!budget) {
      budget = new RequestBudget(spec, this.options);
      this.budgets.set(id, budget);
    }
    return budget;
  }
}

/**
 * KVDECK_UPSTREAM_BUDGET for every upstream when set (`off` for none). Unset: Cloudflare's own
 * 1200/300s for Cloudflare, and for the local KV API whatever it enforces (KVDECK_RATE_LIMIT,
 * same syntax; off by default).
 */
export function budgetsFromEnv(source: { KVDECK_UPSTREAM_BUDGET?: string; KVDECK_RATE_LIMIT?: string }): BudgetRegistry {
  const explicit = source.KVDECK_UPSTREAM_BUDGET;
  if (explicit !== undefined && explicit.trim() !== "") return new BudgetRegistry(parseBudget(explicit));
  // Only the budget itself: options after it (`,lockout=300s`) change how the local API refuses.
  const local = source.KVDECK_RATE_LIMIT?.split(",")[0].trim();
  return new BudgetRegistry({ cloudflare: DEFAULT_BUDGET, local: local ? parseBudget(local === "0" ? "off" : local) : null });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}
