// What a job's handler works with while it runs: its payload, upstreams paced by the shared
// budget, and three parts that each keep one thing:
//
//   context/progress.ts       the counters, the scan mark, the rate and the running time
//   context/steps.ts          the checkpoint: steps finished, the running step's place, the handler's data
//   context/writer.server.ts  the lease: checkpoint writes, the write-ahead, the tick
//
// The job row is the truth: every batch's outcome reaches it in one transaction with the
// checkpoint that accounts for it, and a one-second tick renews the lease, publishes live progress
// and learns of pause and cancel requests made from any process. The pipeline pushes its place
// into the checkpoint (place()) as it moves; nothing here calls back into it.
import type { AuditEventInput } from "~/audit/audit.server";
import type { ResourceCache } from "~/cache/resource-cache.server";
import type { Connection, Job } from "~/db/schema";
import type { BudgetRegistry } from "~/kv/budget.server";
import type { ConnectionRegistry } from "~/kv/connections.server";
import type { KvUpstream } from "~/kv/upstream.server";
import type { RecycleStore } from "~/recycle/store.server";
import { Aimd } from "./aimd";
import { type CountedOutcome, JobProgress } from "./context/progress";
import { JobSteps, type SavedCheckpoint, type StepResume } from "./context/steps";
import { JobWriter, type WriterDeps } from "./context/writer.server";
import type { JobEvents } from "./events.server";
import { JobGate, JobOps } from "./ops.server";
import { JobFailure, JobStopped, type StopReason } from "./stop";
import type { CommittedCounters, KeyError, LiveProgress } from "./store.server";
import type { JobCounters } from "./types";

export { BatchStopped, JobFailure, JobStopped, type StopReason, isStopped } from "./stop";
export type { StepResume } from "./context/steps";

export interface JobDeps extends WriterDeps {
  connections: ConnectionRegistry;
  /** Where destructive jobs keep the copies of what they delete, and restores read them. */
  recycle: RecycleStore;
  /** Writes an audit entry for what a job did on someone's behalf (its copies). */
  audit: (event: AuditEventInput) => Promise<void>;
  cache: ResourceCache;
  events: JobEvents;
  dataDir: string;
  /** The process's request budgets (for dry-run estimates); null when there are none. */
  budgets: BudgetRegistry | null;
  /** Overrides the AIMD bounds (tests, benchmarks). */
  aimd?: { initial?: number; max?: number };
}

export const DRY_RUN_SAMPLE = 20;
/** A later, stronger reason to stop wins (cancel over pause). */
const STOP_RANK: Record<StopReason, number> = { shutdown: 0, error: 1, pause: 2, cancel: 3, lost: 4 };

export class JobContext<P = unknown> {
  readonly id: string;
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  readonly aimd: Aimd;
  readonly ops: JobOps;
  readonly upstream: KvUpstream;
  totalEstimate: number | null;
  result: unknown = undefined;
  phase: string | null;

  private readonly controller = new AbortController();
  private readonly progress: JobProgress;
  private readonly steps: JobSteps;
  private readonly writer: JobWriter;
  private readonly gates: JobGate[] = [];
  private readonly baseRequests: number;
  private stopReason: StopReason | null = null;
  private readonly upstreams = new Map<number, KvUpstream>();

  constructor(
    readonly deps: JobDeps,
    readonly row: Job,
    readonly payload: P,
    leaseToken: string,
    readonly connection: Connection,
  ) {
    this.id = row.id;
    this.dryRun = row.dryRun;
    this.signal = this.controller.signal;
    this.aimd = new Aimd(deps.aimd);
    this.ops = new JobOps(this.signal, this.aimd, () => this.gates.reduce((n, g) => n + g.waits, 0));
    this.steps = new JobSteps((row.checkpoint ?? null) as Partial<SavedCheckpoint> | null);
    this.progress = new JobProgress(row, { scan: this.steps.savedScan, ...this.steps.current });
    this.writer = new JobWriter(
      deps,
      {
        id: row.id,
        snapshot: () => ({
          counters: this.committed(),
          checkpoint: this.steps.snapshot(this.progress.scanMark()),
          live: this.live(),
          result: this.result,
        }),
        live: () => this.live(),
        beforeTick: () => this.progress.noteRate(),
        observe: (job) => this.observe(job),
        lost: () => this.stop("lost"),
        isLost: () => this.stopReason === "lost",
        failed: (error) => this.controller.abort(error),
      },
      leaseToken,
    );
    this.totalEstimate = row.totalEstimate;
    this.phase = row.phase;
    this.baseRequests = row.requestsUsed;
    this.result = row.result ?? undefined;
    this.upstream = this.gated(connection);
  }

  // ---- upstreams and stopping ----

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

  get stopping(): StopReason | null {
    return this.stopReason;
  }

  throwIfStopped() {
    if (this.writer.fatalWrite) throw this.writer.fatalWrite;
    this.signal.throwIfAborted();
  }

  /** Asks the job to stop at its next wait point. A later, stronger reason wins (cancel over pause). */
  stop(reason: StopReason) {
    if (this.stopReason && STOP_RANK[this.stopReason] >= STOP_RANK[reason]) return;
    this.stopReason = reason;
    if (!this.signal.aborted) this.controller.abort(new JobStopped(reason));
  }

  /** A row this job's writes returned: a cancel or pause request made anywhere stops it. */
  private observe(row: Job) {
    this.deps.events.publish(row);
    if (row.state === "cancelling" || row.state === "cancelled") this.stop("cancel");
    else if (row.state === "paused" || row.pauseRequested) this.stop("pause");
    else if (row.state === "queued" && !this.stopReason) this.writer.markRunning();
  }

  // ---- steps and checkpoint ----

  /** The handler's own small data, saved with every checkpoint. */
  get data(): Record<string, unknown> {
    return this.steps.data;
  }

  /**
   * Runs the step `name` unless a previous run finished it; a step interrupted before resumes
   * from its checkpoint. Steps must be declared in the same order on every run.
   */
  async step(name: string, run: (resume: StepResume | null) => Promise<unknown>): Promise<void> {
    if (this.steps.isDone(name)) return;
    const resume = this.steps.enter(name);
    this.progress.enterStep(name, resume !== null);
    this.phase = name;
    await run(resume);
    this.throwIfStopped();
    this.steps.finish(name);
    await this.save();
  }

  /** The running step's place (its pipeline's checkpoint and state): saved with the next checkpoint write. */
  place(place: StepResume) {
    this.steps.place(place);
  }

  // ---- counting ----

  get counters(): JobCounters {
    return this.progress.counters;
  }

  get pagesScanned(): number {
    return this.progress.pagesScanned;
  }

  get rate(): number | null {
    return this.progress.rate;
  }

  get runningMs(): number {
    return this.progress.runningMs;
  }

  /**
   * Items of the current step's source were read, at these positions (in source order). Call
   * before any of them is processed: a batch's keys are always counted in the checkpoint saved
   * before the batch is sent. See JobProgress.noteScanned.
   */
  noteScanned<Pos>(positions: Pos[], compare: (a: Pos, b: Pos) => number, page = true) {
    this.progress.noteScanned(positions, compare, page);
  }

  /** A matched key (counted for progress; a dry run keeps the first few as its sample). */
  noteMatched(key: string) {
    this.progress.noteMatched();
    if (!this.dryRun) return;
    const sample = (this.data.sample as string[] | undefined) ?? [];
    if (sample.length < DRY_RUN_SAMPLE) {
      sample.push(key);
      this.data.sample = sample;
    }
  }

  /**
   * A batch finished: its outcome is counted now and saved with the next checkpoint write, at
   * `place` (where the pipeline stands with this batch done). With `inflightBatch`, that same write
   * also removes the batch from the write-ahead, so a resume neither replays nor loses what this
   * outcome counts.
   */
  commitBatch(outcome: CountedOutcome, place: StepResume, inflightBatch?: number) {
    if (inflightBatch !== undefined) this.writer.accountFor(inflightBatch);
    this.steps.place(place);
    this.progress.commit(outcome);
    this.writer.recordErrors(outcome.failed);
    void this.save().catch(() => {});
  }

  /** Errors that belong to no batch (e.g. an import's validation report), saved with the next write. */
  recordErrors(errors: KeyError[]) {
    this.writer.recordErrors(errors);
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
    return this.progress.committed();
  }

  // ---- durability (context/writer.server.ts) ----

  /** Writes the checkpoint, the committed counters and the queued errors (serialized, coalesced). */
  save(): Promise<void> {
    return this.writer.save();
  }

  /** Writes a batch's keys ahead as in flight, before its requests are sent (see runPipeline). */
  writeAhead(batch: number, keys: string[]): Promise<void> {
    return this.writer.writeAhead(batch, keys);
  }

  /** The batches an earlier run left in flight: batch id → its keys. */
  leftInFlight(): Promise<Map<number, string[]>> {
    return this.writer.leftInFlight();
  }

  startTicking() {
    this.writer.startTicking();
  }

  stopTicking() {
    this.writer.stopTicking();
  }

  /** Reads the job's state now (the API calls this in-process for a fast pause or cancel). */
  tick(): Promise<void> {
    return this.writer.tick();
  }

  /** Runs `hook` after every tick while the job runs (e.g. keeping a rule overlay alive). */
  everyTick(hook: () => Promise<void>) {
    this.writer.everyTick(hook);
  }

  /** Waits for every write in flight. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  log(line: string) {
    this.deps.log(`kvdeck: job ${this.id}: ${line}`);
  }
}
