// The job runner: leases queued jobs from the `jobs` table and runs a few at a time. One runs
// inside each web process by default; `npm run worker` (server/worker.ts) runs more elsewhere.
// Why a table and not pg-boss: docs/decisions/007-job-runner.md.
//
// A job whose runner died (SIGKILL, power loss) keeps its lease until the lease lapses; then the
// next poll of any runner takes it and it resumes from its last checkpoint.
import crypto from "node:crypto";
import os from "node:os";
import type { JobContext, JobDeps } from "./context.server";
import { runJob } from "./engine.server";
import { queueDueRefreshes } from "./kinds/index-catalog.server";

export interface RunnerOptions {
  /** Jobs run at once by this runner. */
  concurrency: number;
  /** How often to look for work when nobody said there is some. */
  pollMs: number;
  /** How often to queue the catalog refreshes that are due (app/jobs/kinds/index-catalog.server.ts); default 30 s. */
  scheduleMs?: number;
}

export class JobRunner {
  readonly id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
  private readonly running = new Map<string, { ctx: JobContext<unknown> | null; done: Promise<void> }>();
  private timer: NodeJS.Timeout | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private polling: Promise<void> | null = null;
  private pollAgain = false;

  constructor(
    private readonly deps: JobDeps,
    private readonly options: RunnerOptions,
  ) {}

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.scheduleTimer = setInterval(() => void this.checkSchedule(), this.options.scheduleMs ?? 30_000);
    this.scheduleTimer.unref();
    this.wake();
  }

  /** Queues the scheduled catalog refreshes that are due; how many it queued. */
  async checkSchedule(): Promise<number> {
    if (this.stopped) return 0;
    try {
      return await queueDueRefreshes(this.deps, () => this.wake());
    } catch (error) {
      this.deps.log(`kvdeck: job runner: could not queue catalog refreshes: ${error}`);
      return 0;
    }
  }

  /** Looks for work now (a job was just queued or resumed). */
  wake() {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = this.poll().finally(() => {
      this.polling = null;
      if (this.pollAgain) {
        this.pollAgain = false;
        this.wake();
      }
    });
  }

  /** A pause or cancel was requested for `jobId`: if it runs here, notice at once. */
  nudge(jobId: string) {
    void this.running.get(jobId)?.ctx?.tick();
  }

  get activeJobs(): string[] {
    return [...this.running.keys()];
  }

  /**
   * Stops taking jobs and stops the running ones at their next wait: each writes its checkpoint and
   * goes back to the queue, for this process after a restart or for another runner now.
   */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
    this.timer = null;
    this.scheduleTimer = null;
    await this.polling;
    for (const { ctx } of this.running.values()) ctx?.stop("shutdown");
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async poll() {
    try {
      while (!this.stopped && this.running.size < this.options.concurrency) {
        const token = `${this.id}/${crypto.randomUUID()}`;
        const row = await this.deps.store.lease(token, this.deps.leaseMs);
        if (!row) return;
        const entry: { ctx: JobContext<unknown> | null; done: Promise<void> } = { ctx: null, done: Promise.resolve() };
        this.running.set(row.id, entry);
        entry.done = runJob(this.deps, row, token, (ctx) => {
          entry.ctx = ctx;
          // Leased just as the runner began to stop: hand it straight back.
          if (this.stopped) ctx.stop("shutdown");
        })
          .catch((error) => this.deps.log(`kvdeck: job ${row.id}: runner error: ${(error as Error)?.stack ?? error}`))
          .finally(() => {
            this.running.delete(row.id);
            this.wake();
          });
      }
    } catch (error) {
      this.deps.log(`kvdeck: job runner: could not look for jobs: ${error}`);
    }
  }
}
