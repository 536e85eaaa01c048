// Adaptive concurrency for a job's bulk requests: additive increase, multiplicative decrease.
// Grows by one in-flight request per window of successes, halves on a 429 or a latency spike, and
// halves at most once per cool-down so one burst of failures counts as one congestion event.

export interface AimdOptions {
  initial?: number;
  min?: number;
  max?: number;
  /** A response this many times slower than the running average is a spike... */
  spikeFactor?: number;
  /** ...if it is also slower than this. */
  spikeFloorMs?: number;
  /** Signals within this long after a decrease are the same congestion event. */
  coolDownMs?: number;
  now?: () => number;
}

export const AIMD_DEFAULTS = { initial: 2, min: 1, max: 8, spikeFactor: 4, spikeFloorMs: 2_000, coolDownMs: 1_000 } as const;
/** Weight of the newest latency sample in the running average. */
const EWMA_ALPHA = 0.2;
/** Samples needed before spikes are judged. */
const WARMUP_SAMPLES = 3;

export class Aimd {
  private value: number;
  private readonly min: number;
  private readonly max: number;
  private readonly spikeFactor: number;
  private readonly spikeFloorMs: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;
  private average: number | null = null;
  private samples = 0;
  private lastDecrease = -Infinity;
  decreases = 0;

  constructor(options: AimdOptions = {}) {
    this.min = options.min ?? AIMD_DEFAULTS.min;
    this.max = options.max ?? AIMD_DEFAULTS.max;
    this.value = clamp(options.initial ?? AIMD_DEFAULTS.initial, this.min, this.max);
    this.spikeFactor = options.spikeFactor ?? AIMD_DEFAULTS.spikeFactor;
    this.spikeFloorMs = options.spikeFloorMs ?? AIMD_DEFAULTS.spikeFloorMs;
    this.coolDownMs = options.coolDownMs ?? AIMD_DEFAULTS.coolDownMs;
    this.now = options.now ?? Date.now;
  }

  /** How many requests may be in flight now. */
  get limit(): number {
    return Math.floor(this.value);
  }

  /** A request succeeded; `latencyMs` only when it is a clean sample (no time spent waiting for budget). */
  success(latencyMs?: number) {
    if (latencyMs !== undefined) {
      if (this.isSpike(latencyMs)) {
        this.congestion();
        return;
      }
      this.average = this.average === null ? latencyMs : this.average + EWMA_ALPHA * (latencyMs - this.average);
      this.samples++;
    }
    this.value = Math.min(this.max, this.value + 1 / Math.max(1, this.value));
  }

  /** A 429 (or a spike): halve, once per congestion event. */
  congestion() {
    const now = this.now();
    if (now - this.lastDecrease < this.coolDownMs) return;
    this.lastDecrease = now;
    this.decreases++;
    this.value = Math.max(this.min, this.value / 2);
  }

  private isSpike(latencyMs: number) {
    if (this.average === null || this.samples < WARMUP_SAMPLES) return false;
    return latencyMs > this.spikeFloorMs && latencyMs > this.average * this.spikeFactor;
  }
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
