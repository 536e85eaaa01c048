// Injectable faults, so kvdeck's retry, backoff and "retry the unsuccessful keys" paths can be
// exercised without a flaky network. Parsed from KVDECK_FAULTS and changeable at runtime through
// the control endpoint (see api.ts). Every random choice comes from one seeded generator, so a test
// that sets a seed sees the same faults on every run.

export interface FaultSettings {
  /** Fraction (0..1) of Cloudflare-path requests answered 500 or 503 without doing anything. */
  error: number;
  /** Milliseconds added to every Cloudflare-path request. */
  latencyMs: number;
  /** Fraction (0..1) of the keys of a bulk write/delete that are not applied and are reported in `unsuccessful_keys`. */
  partial: number;
  /** Fraction (0..1) of requests answered 429 with Retry-After: 1, like Cloudflare's per-IP burst limiter. */
  burst429: number;
  /** A regular expression: matching keys always fail (bulk: unsuccessful_keys; single write/delete: 500). */
  failKeys: string | null;
  /** Seed of the random source; setting it restarts the sequence. */
  seed: number;
  /**
   * Key listings beyond this many (counted from when it was set) wait until it is changed or
   * cleared: a test can hold a job mid-listing and look at it, with no timing involved.
   */
  holdListsAfter: number | null;
  /** The same for bulk deletes: a test can hold a job between two batches. */
  holdBulkDeletesAfter: number | null;
}

/** The requests a hold can apply to. */
export type HeldRequest = "list" | "bulkDelete";
const HOLD_SETTING = { list: "holdListsAfter", bulkDelete: "holdBulkDeletesAfter" } as const;

/** Lets `after` requests through, then holds the rest until it is opened (a new count, or none). */
class Gate {
  private seen = 0;
  private open: () => void = () => {};
  private closed: Promise<void> = Promise.resolve();

  restart() {
    this.open();
    this.seen = 0;
    this.closed = new Promise((resolve) => (this.open = resolve));
  }

  async pass(after: number | null) {
    if (after === null || this.seen++ < after) return;
    await this.closed;
  }
}

export const DEFAULT_FAULTS: FaultSettings = {
  error: 0,
  latencyMs: 0,
  partial: 0,
  burst429: 0,
  failKeys: null,
  seed: 1,
  holdListsAfter: null,
  holdBulkDeletesAfter: null,
};

/** mulberry32: tiny, fast and good enough to pick faults; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultError extends Error {}

export class Faults {
  private current: FaultSettings = { ...DEFAULT_FAULTS };
  private failPattern: RegExp | null = null;
  private random: () => number;
  private readonly gates: Record<HeldRequest, Gate> = { list: new Gate(), bulkDelete: new Gate() };

  /** `random` overrides the seeded generator (tests that want to script the dice). */
  constructor(settings: Partial<FaultSettings> = {}, random?: () => number) {
    this.random = random ?? seededRandom(DEFAULT_FAULTS.seed);
    this.update(settings);
    if (random) this.random = random;
  }

  get settings(): FaultSettings {
    return { ...this.current };
  }

  /** True when no fault is configured: the API can skip the fault path entirely. */
  get inactive(): boolean {
    const s = this.current;
    return (
      s.error === 0 &&
      s.latencyMs === 0 &&
      s.partial === 0 &&
      s.burst429 === 0 &&
      s.failKeys === null &&
      s.holdListsAfter === null &&
      s.holdBulkDeletesAfter === null
    );
  }

  /** Applies a partial update after validating all of it; throws FaultError and changes nothing on bad input. */
  update(input: Partial<Record<keyof FaultSettings, unknown>>): FaultSettings {
    const next = { ...this.current };
    for (const [name, value] of Object.entries(input)) {
      switch (name) {
        case "error":
        case "partial":
        case "burst429":
          next[name] = fraction(name, value);
          break;
        case "latencyMs":
          next.latencyMs = wholeNumber(name, value);
          break;
        case "seed":
          next.seed = wholeNumber(name, value);
          break;
        case "failKeys":
          next.failKeys = value === null || value === "" ? null : pattern(value);
          break;
        case "holdListsAfter":
        case "holdBulkDeletesAfter":
          next[name] = value === null ? null : wholeNumber(name, value);
          break;
        default:
          throw new FaultError(`unknown fault "${name}"`);
      }
    }
    const reseed = "seed" in input;
    for (const [request, setting] of Object.entries(HOLD_SETTING)) if (setting in input) this.gates[request as HeldRequest].restart();
    this.current = next;
    this.failPattern = next.failKeys === null ? null : new RegExp(next.failKeys);
    if (reseed) this.random = seededRandom(next.seed);
    return this.settings;
  }

  reset(): FaultSettings {
    for (const gate of Object.values(this.gates)) gate.restart();
    this.current = { ...DEFAULT_FAULTS };
    this.failPattern = null;
    this.random = seededRandom(DEFAULT_FAULTS.seed);
    return this.settings;
  }

  /** Resolves when this request may go on: at once, or when its hold is changed or cleared. */
  hold(request: HeldRequest): Promise<void> {
    return this.gates[request].pass(this.current[HOLD_SETTING[request]]);
  }

  /** 500 or 503 when this request should fail outright, else null. */
  pickError(): 500 | 503 | null {
    if (this.current.error <= 0 || this.random() >= this.current.error) return null;
    return this.random() < 0.5 ? 500 : 503;
  }

  pickBurst429(): boolean {
    return this.current.burst429 > 0 && this.random() < this.current.burst429;
  }

  keyAlwaysFails(key: string): boolean {
    return this.failPattern !== null && this.failPattern.test(key);
  }

  /** Splits a bulk operation's keys into those to apply and those to report as unsuccessful. */
  splitBulk<T>(items: T[], keyOf: (item: T) => string): { apply: T[]; failed: string[] } {
    if (this.failPattern === null && this.current.partial <= 0) return { apply: items, failed: [] };
    const apply: T[] = [];
    const failed = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      const fails = this.keyAlwaysFails(key) || (this.current.partial > 0 && this.random() < this.current.partial);
      if (fails) failed.add(key);
      else apply.push(item);
    }
    // A key listed as unsuccessful must not be half-applied through a duplicate entry.
    return { apply: apply.filter((i) => !failed.has(keyOf(i))), failed: [...failed] };
  }
}

/**
 * Parses KVDECK_FAULTS: comma-separated `name=value`, e.g.
 * `error=0.05,latency=200ms,partial=0.01,burst429=0.02,failKeys=^bad-,seed=7`.
 * Names: error, latency (ms, or with an `ms`/`s` suffix), partial, burst429, failKeys, seed
 * (the holds are for tests, through the control endpoint only).
 */
export function parseFaults(text: string | undefined | null): Partial<FaultSettings> {
  const out: Partial<FaultSettings> = {};
  const s = (text ?? "").trim();
  if (s === "" || s === "off" || s === "none") return out;
  for (const part of s.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) throw new FaultError(`invalid fault "${part}": expected name=value`);
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    switch (name) {
      case "error":
      case "partial":
      case "burst429":
        out[name] = fraction(name, Number(value));
        break;
      case "latency":
      case "latencyMs":
        out.latencyMs = duration(value);
        break;
      case "failKeys":
        out.failKeys = pattern(value);
        break;
      case "seed":
        out.seed = wholeNumber(name, Number(value));
        break;
      default:
        throw new FaultError(`unknown fault "${name}" (known: error, latency, partial, burst429, failKeys, seed)`);
    }
  }
  return out;
}

function fraction(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new FaultError(`${name} must be a number from 0 to 1`);
  }
  return value;
}

function wholeNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new FaultError(`${name} must be a whole number ≥ 0`);
  }
  return value;
}

function duration(text: string): number {
  const m = /^(\d+)\s*(ms|s)?$/.exec(text);
  if (!m) throw new FaultError(`invalid latency "${text}": expected e.g. 200ms or 2s`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

function pattern(value: unknown): string {
  if (typeof value !== "string") throw new FaultError("failKeys must be a regular expression string or null");
  try {
    new RegExp(value);
  } catch {
    throw new FaultError(`failKeys is not a valid regular expression: ${value}`);
  }
  return value;
}
