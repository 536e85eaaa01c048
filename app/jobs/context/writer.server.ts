// The writes that make a running job durable, all under its lease: the checkpoint (with the
// counters, errors and batches in flight it accounts for), the write-ahead of batches in flight,
// and the one-second tick that renews the lease, publishes live progress and reads the row back
// (so pause and cancel requests made from any process are learnt of). Writes are serialized; a
// checkpoint asked for while one is in flight is served by the next write, which snapshots the
// state as it is then.
import type { Job } from "~/db/schema";
import { JobFailure } from "../stop";
import type { CommittedCounters, InflightDone, JobStore, KeyError, LiveProgress } from "../store.server";
import type { SavedCheckpoint } from "./steps";

export interface WriterDeps {
  store: JobStore;
  leaseMs: number;
  /** How often live progress is written and pause/cancel requests are read. */
  tickMs: number;
  log: (line: string) => void;
}

/** What the writer asks of the job it writes for. */
export interface WriterSubject {
  readonly id: string;
  /** What the next checkpoint write saves, as it is now. */
  snapshot(): { counters: CommittedCounters; checkpoint: SavedCheckpoint; live: LiveProgress; result: unknown };
  live(): LiveProgress;
  /** Just before each tick's write (e.g. a rate sample: a job waiting for budget must see its rate fall). */
  beforeTick(): void;
  /** Every row a write returned. */
  observe(row: Job): void;
  /** The lease is gone (another runner took the job): nothing more may be written. */
  lost(): void;
  isLost(): boolean;
  /** A checkpoint could not be written: the job must stop with this error. */
  failed(error: Error): void;
}

export class JobWriter {
  private pendingErrors: KeyError[] = [];
  /** Batches in flight (write-ahead) that the next checkpoint write accounts for. */
  private pendingInflight: InflightDone = { batches: [] };
  private writeChain: Promise<unknown> = Promise.resolve();
  private saveQueued: Promise<void> | null = null;
  private fatal: Error | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private readonly tickHooks: (() => Promise<void>)[] = [];

  constructor(
    private readonly deps: WriterDeps,
    private readonly subject: WriterSubject,
    private readonly leaseToken: string,
  ) {}

  /** The error that stopped checkpoints, once one was refused. */
  get fatalWrite(): Error | null {
    return this.fatal;
  }

  /** Errors to save with the next checkpoint write. */
  recordErrors(errors: KeyError[]) {
    if (errors.length) this.pendingErrors.push(...errors);
  }

  /** The next checkpoint write also removes batch `batch` from the write-ahead. */
  accountFor(batch: number) {
    this.pendingInflight.batches.push(batch);
  }

  /** Writes a batch's keys ahead as in flight, before its requests are sent (see runPipeline). */
  writeAhead(batch: number, keys: string[]): Promise<void> {
    return this.deps.store.inflight.add(this.subject.id, this.leaseToken, batch, keys);
  }

  /** The batches an earlier run left in flight: batch id → its keys. */
  leftInFlight(): Promise<Map<number, string[]>> {
    return this.deps.store.inflight.batches(this.subject.id);
  }

  /** Writes the checkpoint, the committed counters and the queued errors (serialized and coalesced). */
  save(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.saveQueued) return this.saveQueued;
    const queued = this.exclusive(async () => {
      this.saveQueued = null;
      if (this.subject.isLost()) return;
      const save = this.subject.snapshot();
      const errors = this.pendingErrors;
      this.pendingErrors = [];
      const inflight = this.pendingInflight;
      this.pendingInflight = { batches: [] };
      const row = await this.deps.store.checkpoint(this.subject.id, this.leaseToken, this.deps.leaseMs, save, errors, inflight);
      if (!row) this.subject.lost();
      else this.subject.observe(row);
    }).catch((error) => {
      // The job fails with this message (a readable one, not the database's bare words).
      this.fatal ??= new JobFailure(`The job's progress could not be saved: ${(error as Error)?.message ?? String(error)}`);
      this.subject.failed(this.fatal);
      throw this.fatal;
    });
    this.saveQueued = queued;
    return queued;
  }

  /** Starts the tick (lease, live progress, pause/cancel requests) every `tickMs`. */
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

  /** Renews the lease, publishes live progress and reads the job's state now. */
  async tick(): Promise<void> {
    if (this.subject.isLost() || this.fatal) return;
    this.subject.beforeTick();
    try {
      const row = await this.exclusive(() =>
        this.deps.store.tick(this.subject.id, this.leaseToken, this.deps.leaseMs, this.subject.live()),
      );
      if (!row) this.subject.lost();
      else this.subject.observe(row);
      for (const hook of this.tickHooks) await hook();
    } catch (error) {
      this.deps.log(`kvdeck: job ${this.subject.id}: progress write failed: ${error}`);
    }
  }

  /** Runs `hook` after every tick while the job runs (e.g. keeping a rule overlay alive). */
  everyTick(hook: () => Promise<void>) {
    this.tickHooks.push(hook);
  }

  /** A queued row its runner still holds goes on running (see JobStore.markRunning). */
  markRunning() {
    void this.exclusive(() => this.deps.store.markRunning(this.subject.id, this.leaseToken)).catch(() => {});
  }

  /** Waits for every write in flight. */
  async flush(): Promise<void> {
    await this.writeChain.catch(() => {});
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writeChain.then(work, work);
    this.writeChain = next.catch(() => {});
    return next;
  }
}
