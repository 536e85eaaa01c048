// What a job's handler works with while it runs: its payload, upstreams paced by the shared
// budget, counters, steps that resume where they stopped, and the writes that make all of it
// durable. The job row is the truth: every batch's outcome reaches it in one transaction with the
// checkpoint that accounts for it, and a one-second tick renews the lease, publishes live progress
// and learns of pause and cancel requests made from any process.
import type { ResourceCache } from "~/cache/resource-cache.server";
import type { Connection, Job } from "~/db/schema";
import type { BudgetRegistry } from "~/kv/budget.server";
import type { ConnectionRegistry } from "~/kv/connections.server";
import type { KvUpstream } from "~/kv/upstream.server";
import { Aimd } from "./aimd";
import type { PipelineCheckpoint } from "./checkpoint";
import type { JobEvents } from "./events.server";
import { JobGate, JobOps } from "./ops.server";
import {
  type CommittedCounters,
  type InflightDone,
  type JobStore,
  type KeyError,
  type LiveProgress,
  isPauseRequested,
} from "./store.server";
import type { JobCounters } from "./types";

import { JobStopped, type StopReason } from "./stop";

export { BatchStopped, JobStopped, type StopReason, isStopped } from "./stop";

/** A failure the handler reports to the person (the job fails with this message, no stack). */
export class JobFailure extends Error {
  readonly name = "JobFailure";
}

export interface JobDeps {
  store: JobStore;
  connections: ConnectionRegistry;
  cache: ResourceCache;
  events: JobEvents;
  dataDir: string;
  leaseMs: number;
  /** How often live progress is written and pause/cancel requests are read. */
  tickMs: number;
  log: (line: string) => void;
  /** The process's request budgets (for dry-run estimates); null when there are none. */
  budgets: BudgetRegistry | null;
  /** Overrides the AIMD bounds (tests, benchmarks). */
  aimd?: { initial?: number; max?: number };
}

/** A step's saved place: the pipeline checkpoint and the step's own state (e.g. a file offset). */
export interface StepResume {
  checkpoint: PipelineCheckpoint<unknown> | null;
  state: unknown;
}

interface SavedCheckpoint {
  /** Steps finished, in order. */
  steps: string[];
  step: string | null;
  pipeline: PipelineCheckpoint<unknown> | null;
  state: unknown;
  /** The handler's own small data (a dry run's sample, an import's counts). */
  data: Record<string, unknown>;
  /** How far the source has been counted (see noteScanned); absent in checkpoints of older versions. */
  scan?: ScanMark;
}

/**
 * The scan counters as of a position of the current step's source: every item at or before
 * `through` is counted in `scanned` (and its page in `pages`). Saved with the checkpoint, so a
 * resumed run re-reading from the checkpoint's cursor counts only what lies beyond.
 */
interface ScanMark {
  step: string | null;
  through: unknown;
  scanned: number;
  pages: number;
}

const RATE_WINDOW_MS = 15_000;
export const DRY_RUN_SAMPLE = 20;

export class JobContext<P = unknown> {
  readonly id: string;
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  readonly aimd: Aimd;
  readonly ops: JobOps;
  readonly counters: JobCounters;
  totalEstimate: number | null;
  result: unknown = undefined;
  phase: string | null;
  readonly data: Record<string, unknown>;
  readonly upstream: KvUpstream;

  private readonly controller = new AbortController();
  private readonly saved: SavedCheckpoint;
  private readonly gates: JobGate[] = [];
  private readonly baseRequests: number;
  private pendingErrors: KeyError[] = [];
  /** Batches in flight (write-ahead) that the next checkpoint write accounts for. */
  private pendingInflight: InflightDone = { batches: [] };
  private pipelineState: (() => StepResume) | null = null;
  private writeChain: Promise<unknown> = Promise.resolve();
  private saveQueued: Promise<void> | null = null;
  private fatalWrite: unknown = null;
  private readonly rateSamples: [number, number][] = [];
  private stopReason: StopReason | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private readonly upstreams = new Map<number, KvUpstream>();
  private readonly tickHooks: (() => Promise<void>)[] = [];
  /** What earlier runs published: the counters shown never go below it. */
  private readonly floor: { scanned: number; matched: number; pages: number };
  /** Matched keys as this run counts them (the committed ones, plus those listed since). */
  private matchedCounted: number;
  private scan: ScanMark;
  /** False while a resumed step re-reads what an earlier run counted (its empty pages are not counted again). */
  private scanPastResume = true;
  private readonly runStartedAt = Date.now();
  private readonly baseRunningMs: number;
  pagesScanned: number;

  constructor(
    readonly deps: JobDeps,
    readonly row: Job,
    readonly payload: P,
    private readonly leaseToken: string,
    readonly connection: Connection,
  ) {
    this.id = row.id;
    this.dryRun = row.dryRun;
    this.signal = this.controller.signal;
    this.aimd = new Aimd(deps.aimd);
    this.ops = new JobOps(this.signal, this.aimd, () => this.gates.reduce((n, g) => n + g.waits, 0));
    const raw = (row.checkpoint ?? null) as Partial<SavedCheckpoint> | null;
    this.saved = {
      steps: raw?.steps ?? [],
      step: raw?.step ?? null,
      pipeline: raw?.pipeline ?? null,
      state: raw?.state ?? null,
      data: raw?.data ?? {},
    };
    this.data = this.saved.data;
    // Committed counters are exact as of the checkpoint; what was matched beyond it is listed again,
    // and what was scanned beyond it is counted again only past the saved scan mark. What earlier
    // runs published stays the floor of what is shown (a re-listing does not make counters go back).
    this.floor = { scanned: row.scanned, matched: Math.max(row.matched, row.processed), pages: row.pagesScanned };
    this.scan = raw?.scan ?? {
      step: this.saved.step,
      through: null,
      scanned: this.saved.pipeline?.scanned ?? row.scanned,
      pages: row.pagesScanned,
    };
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
    this.totalEstimate = row.totalEstimate;
    this.phase = row.phase;
    this.baseRequests = row.requestsUsed;
    this.result = row.result ?? undefined;
    this.upstream = this.gated(connection);
  }

  /** An upstream of `connection` whose requests pass this job's gate (budget, counting, stop). */
  private gated(connection: Connection): KvUpstream {
    return this.deps.connections.upstreamWith(connection, {
      budget: (shared) => {
        const gate = new JobGate(shared, this.signal);
        this.gates.push(gate);
        return gate;
      },
      retries: 0,
    });
  }

  get accountId() {
    return this.upstream.accountId;
  }

  get requestsUsed() {
    return this.baseRequests + this.gates.reduce((n, g) => n + g.requests, 0);
  }

  get stopping(): StopReason | null {
    return this.stopReason;
  }

  /** Another connection's upstream (copy and move targets), paced by that token's budget. */
  async upstreamFor(connectionId: number): Promise<KvUpstream> {
    if (connectionId === this.row.connectionId) return this.upstream;
    const known = this.upstreams.get(connectionId);
    if (known) return known;
    const connection = await this.deps.connections.get(connectionId);
    if (!connection) throw new JobFailure(`Connection ${connectionId} no longer exists.`);
    const upstream = this.gated(connection);
    this.upstreams.set(connectionId, upstream);
    return upstream;
  }

  throwIfStopped() {
    if (this.fatalWrite) throw this.fatalWrite;
    this.signal.throwIfAborted();
  }

  /** Asks the job to stop at its next wait point. A later, stronger reason wins (cancel over pause). */
  stop(reason: StopReason) {
    const rank: Record<StopReason, number> = { shutdown: 0, error: 1, pause: 2, cancel: 3, lost: 4 };
    if (this.stopReason && rank[this.stopReason] >= rank[reason]) return;
    this.stopReason = reason;
    if (!this.signal.aborted) this.controller.abort(new JobStopped(reason));
  }

  // ---- steps ----

  /**
   * Runs the step `name` unless a previous run finished it; a step interrupted before resumes
   * from its checkpoint. Steps must be declared in the same order on every run.
   */
  async step(name: string, run: (resume: StepResume | null) => Promise<unknown>): Promise<void> {
    if (this.saved.steps.includes(name)) return;
    const resume = this.saved.step === name ? { checkpoint: this.saved.pipeline, state: this.saved.state } : null;
    if (!resume) {
      this.saved.step = name;
      this.saved.pipeline = null;
      this.saved.state = null;
    }
    if (!resume || this.scan.step !== name) this.scan = { step: name, through: null, scanned: this.scan.scanned, pages: this.scan.pages };
    this.scanPastResume = this.scan.through === null;
    this.phase = name;
    await run(resume);
    this.throwIfStopped();
    this.saved.steps.push(name);
    this.saved.step = null;
    this.saved.pipeline = null;
    this.saved.state = null;
    this.pipelineState = null;
    await this.save();
  }

  /** The running pipeline tells the context how to snapshot its place. */
  attachPipeline(snapshot: (() => StepResume) | null) {
    this.pipelineState = snapshot;
  }

  // ---- counting ----

  /**
   * Items of the current step's source were read, at these positions (in source order). Counts
   * those beyond the scan mark, and the page they came in (`page`); items at or before it were
   * counted by an earlier run, before it stopped. Call before any of them is processed: a batch's
   * keys are always counted in the checkpoint saved before the batch is sent.
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

  /** A matched key (counted for progress; a dry run keeps the first few as its sample). */
  noteMatched(key: string) {
    this.matchedCounted++;
    this.counters.matched = Math.max(this.floor.matched, this.matchedCounted);
    if (this.dryRun) {
      const sample = (this.data.sample as string[] | undefined) ?? [];
      if (sample.length < DRY_RUN_SAMPLE) {
        sample.push(key);
        this.data.sample = sample;
      }
    }
  }

  /**
   * A batch finished: its outcome is counted now and saved with the next checkpoint write. With
   * `inflightBatch`, that same write also removes the batch from the write-ahead of batches in
   * flight, so a resume neither replays nor loses what this outcome counts.
   */
  commitBatch(outcome: { succeeded: number; skipped: number; failed: KeyError[] }, inflightBatch?: number) {
    if (inflightBatch !== undefined) this.pendingInflight.batches.push(inflightBatch);
    const c = this.counters;
    c.succeeded += outcome.succeeded;
    c.skipped += outcome.skipped;
    c.failed += outcome.failed.length;
    c.processed = c.succeeded + c.failed + c.skipped;
    if (this.matchedCounted < c.processed) this.matchedCounted = c.processed;
    if (c.matched < c.processed) c.matched = c.processed;
    if (outcome.failed.length) this.pendingErrors.push(...outcome.failed);
    this.noteRate();
    void this.save().catch(() => {});
  }

  /** Writes a batch's keys ahead as in flight, before its requests are sent (see runPipeline). */
  writeAhead(batch: number, keys: string[]): Promise<void> {
    return this.deps.store.inflight.add(this.id, this.leaseToken, batch, keys);
  }

  /** Errors that belong to no batch (e.g. an import's validation report), saved with the next write. */
  recordErrors(errors: KeyError[]) {
    this.pendingErrors.push(...errors);
  }

  private noteRate() {
    const now = Date.now();
    this.rateSamples.push([now, this.counters.processed]);
    while (this.rateSamples.length > 2 && this.rateSamples[0][0] < now - RATE_WINDOW_MS) this.rateSamples.shift();
  }

  get rate(): number | null {
    if (this.rateSamples.length < 2) return null;
    const [t0, p0] = this.rateSamples[0];
    const [t1, p1] = this.rateSamples[this.rateSamples.length - 1];
    return t1 > t0 ? ((p1 - p0) * 1000) / (t1 - t0) : null;
  }

  /** Time runners spent on the job, this run included. */
  get runningMs(): number {
    return this.baseRunningMs + (Date.now() - this.runStartedAt);
  }

  live(): LiveProgress {
    return {
      scanned: this.counters.scanned,
      matched: this.counters.matched,
      pagesScanned: this.pagesScanned,
      runningMs: this.runningMs,
      rate: this.rate,
      requestsUsed: this.requestsUsed,
      totalEstimate: this.totalEstimate,
      phase: this.phase,
    };
  }

  committed(): CommittedCounters {
    const { processed, succeeded, failed, skipped } = this.counters;
    return { processed, succeeded, failed, skipped };
  }

  // ---- durability ----

  /**
   * Writes the checkpoint, the committed counters and the queued errors. Writes are serialized
   * and coalesced: a request made while one is in flight is served by the next write, which
   * snapshots the state as it is then.
   */
  save(): Promise<void> {
    if (this.fatalWrite) return Promise.reject(this.fatalWrite);
    if (this.saveQueued) return this.saveQueued;
    const queued = this.exclusive(async () => {
      this.saveQueued = null;
      if (this.stopReason === "lost") return;
      const pipeline = this.pipelineState?.();
      if (pipeline) {
        this.saved.pipeline = pipeline.checkpoint;
        this.saved.state = pipeline.state;
      }
      const errors = this.pendingErrors;
      this.pendingErrors = [];
      const inflight = this.pendingInflight;
      this.pendingInflight = { batches: [] };
      const checkpoint: SavedCheckpoint = {
        ...this.saved,
        steps: [...this.saved.steps],
        data: { ...this.saved.data },
        scan: { ...this.scan },
      };
      const row = await this.deps.store.checkpoint(
        this.id,
        this.leaseToken,
        this.deps.leaseMs,
        { counters: this.committed(), checkpoint, live: this.live(), result: this.result },
        errors,
        inflight,
      );
      if (!row) this.stop("lost");
      else this.observe(row);
    }).catch((error) => {
      // The job fails with this message (a readable one, not the database's bare words).
      this.fatalWrite ??= new JobFailure(`The job's progress could not be saved: ${(error as Error)?.message ?? String(error)}`);
      this.controller.abort(this.fatalWrite);
      throw this.fatalWrite;
    });
    this.saveQueued = queued;
    return queued;
  }

  /** Starts the one-second tick (lease, live progress, pause/cancel requests). */
  startTicking() {
    const tick = () => {
      void this.tick().finally(() => {
        if (this.ticker) this.ticker = setTimeout(tick, this.deps.tickMs);
      });
    };
    this.ticker = setTimeout(tick, this.deps.tickMs);
  }

  stopTicking() {
    if (this.ticker) clearTimeout(this.ticker);
    this.ticker = null;
  }

  /** Reads the job's state now (the API calls this in-process for a fast pause or cancel). */
  async tick(): Promise<void> {
    if (this.stopReason === "lost" || this.fatalWrite) return;
    // A job waiting for budget makes no progress: its rate must fall, not stay at its last value.
    this.noteRate();
    try {
      const row = await this.exclusive(() => this.deps.store.tick(this.id, this.leaseToken, this.deps.leaseMs, this.live()));
      if (!row) this.stop("lost");
      else this.observe(row);
      for (const hook of this.tickHooks) await hook();
    } catch (error) {
      this.deps.log(`kvdeck: job ${this.id}: progress write failed: ${error}`);
    }
  }

  /** Runs `hook` after every tick while the job runs (e.g. keeping a rule overlay alive). */
  everyTick(hook: () => Promise<void>) {
    this.tickHooks.push(hook);
  }

  /** Waits for every write in flight. */
  async flush(): Promise<void> {
    await this.writeChain.catch(() => {});
  }

  private observe(row: Job) {
    this.deps.events.publish(row);
    if (row.state === "cancelling" || row.state === "cancelled") this.stop("cancel");
    else if (row.state === "paused" || isPauseRequested(row)) this.stop("pause");
    else if (row.state === "queued" && !this.stopReason)
      void this.exclusive(() => this.deps.store.markRunning(this.id, this.leaseToken)).catch(() => {});
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writeChain.then(work, work);
    this.writeChain = next.catch(() => {});
    return next;
  }
}
