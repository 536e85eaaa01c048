// A job's counters as one run counts them: what the source scanned and matched, what batches
// committed, the recent rate and the running time. Pure (no I/O): the context saves what this
// holds with each checkpoint and publishes it with each tick.
//
// Counters never go below what earlier runs published (the floor): a resumed run re-reading from
// its checkpoint's cursor counts only what lies beyond the saved scan mark, and matched keys
// beyond the checkpoint are listed again without being counted twice.
import type { Job } from "~/db/schema";
import type { KeyError } from "../store.server";
import type { JobCounters } from "../types";

/**
 * The scan counters as of a position of the current step's source: every item at or before
 * `through` is counted in `scanned` (and its page in `pages`). Saved with the checkpoint, so a
 * resumed run re-reading from the checkpoint's cursor counts only what lies beyond.
 */
export interface ScanMark {
  step: string | null;
  through: unknown;
  scanned: number;
  pages: number;
}

/** A batch's outcome as it is counted. */
export interface CountedOutcome {
  succeeded: number;
  skipped: number;
  failed: KeyError[];
}

const RATE_WINDOW_MS = 15_000;

export class JobProgress {
  readonly counters: JobCounters;
  pagesScanned: number;
  /** What earlier runs published: the counters shown never go below it. */
  private readonly floor: { scanned: number; matched: number; pages: number };
  /** Matched keys as this run counts them (the committed ones, plus those listed since). */
  private matchedCounted: number;
  private scan: ScanMark;
  /** False while a resumed step re-reads what an earlier run counted (its empty pages are not counted again). */
  private scanPastResume = true;
  private readonly rateSamples: [number, number][] = [];
  private readonly runStartedAt: number;
  private readonly baseRunningMs: number;

  constructor(
    row: Pick<Job, "scanned" | "matched" | "processed" | "succeeded" | "failed" | "skipped" | "pagesScanned" | "runningMs">,
    saved: { scan?: ScanMark; step: string | null; scannedAtCursor: number | undefined },
    private readonly now: () => number = Date.now,
  ) {
    // Committed counters are exact as of the checkpoint; what was matched beyond it is listed again,
    // and what was scanned beyond it is counted again only past the saved scan mark.
    this.floor = { scanned: row.scanned, matched: Math.max(row.matched, row.processed), pages: row.pagesScanned };
    this.scan = saved.scan ?? { step: saved.step, through: null, scanned: saved.scannedAtCursor ?? row.scanned, pages: row.pagesScanned };
    this.matchedCounted = row.processed;
    this.counters = {
      scanned: Math.max(this.floor.scanned, this.scan.scanned),
      matched: this.floor.matched,
      processed: row.processed,
      succeeded: row.succeeded,
      failed: row.failed,
      skipped: row.skipped,
    };
    this.pagesScanned = Math.max(this.floor.pages, this.scan.pages);
    this.baseRunningMs = row.runningMs;
    this.runStartedAt = now();
  }

  /** The step `name` begins (or resumes, with `resuming`): a new step's source is counted from its start. */
  enterStep(name: string, resuming: boolean) {
    if (!resuming || this.scan.step !== name) this.scan = { step: name, through: null, scanned: this.scan.scanned, pages: this.scan.pages };
    this.scanPastResume = this.scan.through === null;
  }

  /** The scan mark to save with the next checkpoint. */
  scanMark(): ScanMark {
    return { ...this.scan };
  }

  /**
   * Items of the current step's source were read, at these positions (in source order). Counts
   * those beyond the scan mark, and the page they came in (`page`); items at or before it were
   * counted by an earlier run, before it stopped.
   */
  noteScanned<P>(positions: P[], compare: (a: P, b: P) => number, page = true) {
    const scan = this.scan;
    let counted = 0;
    for (const pos of positions) {
      if (scan.through !== null && compare(pos, scan.through as P) <= 0) continue;
      scan.through = pos;
      counted++;
    }
    if (counted > 0) this.scanPastResume = true;
    scan.scanned += counted;
    if (page && (counted > 0 || (positions.length === 0 && this.scanPastResume))) scan.pages++;
    this.counters.scanned = Math.max(this.floor.scanned, scan.scanned);
    this.pagesScanned = Math.max(this.floor.pages, scan.pages);
  }

  noteMatched() {
    this.matchedCounted++;
    this.counters.matched = Math.max(this.floor.matched, this.matchedCounted);
  }

  /** A batch finished: its outcome is counted (and saved with the next checkpoint). */
  commit(outcome: CountedOutcome) {
    const c = this.counters;
    c.succeeded += outcome.succeeded;
    c.skipped += outcome.skipped;
    c.failed += outcome.failed.length;
    c.processed = c.succeeded + c.failed + c.skipped;
    if (this.matchedCounted < c.processed) this.matchedCounted = c.processed;
    if (c.matched < c.processed) c.matched = c.processed;
    this.noteRate();
  }

  /** Samples the processed count (a tick without progress makes the rate fall). */
  noteRate() {
    const now = this.now();
    this.rateSamples.push([now, this.counters.processed]);
    while (this.rateSamples.length > 2 && this.rateSamples[0][0] < now - RATE_WINDOW_MS) this.rateSamples.shift();
  }

  /** Keys per second over the last RATE_WINDOW_MS, or null before two samples. */
  get rate(): number | null {
    if (this.rateSamples.length < 2) return null;
    const [t0, p0] = this.rateSamples[0];
    const [t1, p1] = this.rateSamples[this.rateSamples.length - 1];
    return t1 > t0 ? ((p1 - p0) * 1000) / (t1 - t0) : null;
  }

  /** Time runners spent on the job, this run included. */
  get runningMs(): number {
    return this.baseRunningMs + (this.now() - this.runStartedAt);
  }

  committed(): Pick<JobCounters, "processed" | "succeeded" | "failed" | "skipped"> {
    const { processed, succeeded, failed, skipped } = this.counters;
    return { processed, succeeded, failed, skipped };
  }
}
