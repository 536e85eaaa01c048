// The jobs store: the `jobs` rows here (queue, lease, checkpoints, the runner's last write), the
// parts in store/ (pause/resume/cancel requests, the error report, key sets, the write-ahead of
// batches in flight). SQL for the job tables lives in these modules and nowhere else.
//
// A runner holds a job through a lease: `lease_owner` is a token unique to that lease and every
// write of a running job names it, so a runner that lost its lease (it stalled past the expiry and
// another runner took over) can no longer move the job's counters or checkpoint. While a live
// runner holds the job, a pause is a request on the row (`pause_requested`, see
// store/requests.server.ts); the runner writes `paused` itself in its last write (release()), after
// its batches in flight have finished, with its final counters and checkpoint, and lets go of the
// lease in the same statement.
//
// Key names (job_errors.key, job_keys.key, job_inflight.keys, and every string of the payload,
// checkpoint and result jsonb) are stored escaped by ~/db/key-text, so a name holding U+0000
// (which PostgreSQL refuses in text and jsonb) is written and read back losslessly.
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { escapeJsonStrings, printableText } from "~/db/key-text";
import { type Job, type NewJob, jobs } from "~/db/schema";
import { type KeyError, JobErrorReport, insertErrors } from "./store/errors.server";
import { JobInflight, removeInflight } from "./store/inflight.server";
import { JobKeySets } from "./store/keys.server";
import { requestCancel, requestPause, requestResume } from "./store/requests.server";
import { fromRow, heldBy, leaseEnd, storedJson } from "./store/rows.server";
import type { JobCounters, JobState } from "./types";

export type { KeyError } from "./store/errors.server";
export type { JobKeySet } from "./store/keys.server";

/** Counters that only move when a batch's outcome is checkpointed. */
export type CommittedCounters = Pick<JobCounters, "processed" | "succeeded" | "failed" | "skipped">;

/** What a checkpoint accounts for among the batches in flight (their ids). */
export interface InflightDone {
  batches: number[];
}

export interface LiveProgress {
  scanned: number;
  matched: number;
  pagesScanned: number;
  runningMs: number;
  rate: number | null;
  requestsUsed: number;
  totalEstimate: number | null;
  phase: string | null;
}

export class JobStore {
  readonly errors: JobErrorReport;
  readonly keys: JobKeySets;
  readonly inflight: JobInflight;

  constructor(readonly db: Db) {
    this.errors = new JobErrorReport(db);
    this.keys = new JobKeySets(db);
    this.inflight = new JobInflight(db);
  }

  async insert(values: NewJob): Promise<Job> {
    const [row] = await this.db
      .insert(jobs)
      .values({
        ...values,
        payload: storedJson(values.payload),
        checkpoint: storedJson(values.checkpoint),
        result: storedJson(values.result),
      })
      .returning();
    return fromRow(row);
  }

  async get(id: string): Promise<Job | null> {
    const [row] = await this.db.select().from(jobs).where(eq(jobs.id, id));
    return fromRow(row);
  }

  async list(options: {
    limit: number;
    state?: readonly JobState[] | JobState;
    before?: Date;
    connectionId?: number;
    namespaceId?: string;
    dryRun?: boolean;
  }): Promise<Job[]> {
    const states = options.state === undefined ? undefined : typeof options.state === "string" ? [options.state] : [...options.state];
    const rows = await this.db
      .select()
      .from(jobs)
      .where(
        and(
          states ? inArray(jobs.state, states) : undefined,
          options.before ? lt(jobs.createdAt, options.before) : undefined,
          options.connectionId !== undefined ? eq(jobs.connectionId, options.connectionId) : undefined,
          options.namespaceId !== undefined ? eq(jobs.namespaceId, options.namespaceId) : undefined,
          options.dryRun !== undefined ? eq(jobs.dryRun, options.dryRun) : undefined,
        ),
      )
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(options.limit);
    return rows.map((row) => fromRow(row));
  }

  /**
   * Takes the oldest job that is queued, or whose runner's lease lapsed (its process died), for
   * `leaseMs`. One statement, `for update skip locked`: two runners never take the same job.
   */
  async lease(token: string, leaseMs: number): Promise<Job | null> {
    const [row] = await this.db
      .update(jobs)
      .set({
        state: sql`case when ${jobs.state} = 'cancelling' then 'cancelling' else 'running' end`,
        leaseOwner: token,
        leaseExpiresAt: leaseEnd(leaseMs),
        attempts: sql`${jobs.attempts} + 1`,
        // Taken from a runner that died holding it (not queued): one more takeover; progress resets it.
        stalledTakeovers: sql`case when ${jobs.state} in ('running', 'cancelling') and ${jobs.leaseOwner} is not null
          then ${jobs.stalledTakeovers} + 1 else ${jobs.stalledTakeovers} end`,
        startedAt: sql`coalesce(${jobs.startedAt}, now())`,
        updatedAt: sql`now()`,
      })
      .where(
        eq(
          jobs.id,
          sql`(select id from jobs
            where (state = 'queued' and (lease_owner is null or lease_expires_at < now()))
               or (state in ('running', 'cancelling') and (lease_expires_at is null or lease_expires_at < now()))
            order by created_at, id
            for update skip locked
            limit 1)`,
        ),
      )
      .returning();
    return fromRow(row);
  }

  /** Renews the lease and publishes live progress; null when the lease is lost. */
  async tick(id: string, token: string, leaseMs: number, live: LiveProgress): Promise<Job | null> {
    const [row] = await this.db
      .update(jobs)
      .set({ ...live, leaseExpiresAt: leaseEnd(leaseMs), updatedAt: sql`now()` })
      .where(heldBy(id, token))
      .returning();
    return fromRow(row);
  }

  /**
   * Saves a checkpoint, the counters it accounts for and the per-key errors of the batches it
   * covers, in one transaction: a crash leaves either all of them or none. The batches in flight
   * it accounts for leave the write-ahead in that same transaction. A pause request on the row is
   * kept (the runner acts on it when it reads the row this returns).
   */
  async checkpoint(
    id: string,
    token: string,
    leaseMs: number,
    save: { counters: CommittedCounters; checkpoint: unknown; live: LiveProgress; result?: unknown },
    errors: KeyError[],
    inflightDone: InflightDone = { batches: [] },
  ): Promise<Job | null> {
    const checkpoint = save.checkpoint === undefined ? null : escapeJsonStrings(save.checkpoint);
    const saved = checkpoint === null ? null : JSON.stringify(checkpoint);
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(jobs)
        .set({
          ...save.counters,
          ...save.live,
          checkpoint,
          // Progress (more keys processed, or the checkpoint moved) ends a run of takeovers without it.
          stalledTakeovers: sql`case when ${save.counters.processed}::bigint > ${jobs.processed}
            or ${saved}::jsonb is distinct from ${jobs.checkpoint} then 0 else ${jobs.stalledTakeovers} end`,
          ...(save.result !== undefined ? { result: storedJson(save.result) } : {}),
          leaseExpiresAt: leaseEnd(leaseMs),
          updatedAt: sql`now()`,
        })
        .where(heldBy(id, token))
        .returning();
      if (!row) return null;
      await insertErrors(tx, id, errors);
      await removeInflight(tx, id, inflightDone.batches);
      return fromRow(row);
    });
  }

  /**
   * A queued row its runner still holds (a row paused and resumed while held, as an earlier version
   * allowed; a pause is now a request on a running row until the runner lets go): it carries on.
   */
  async markRunning(id: string, token: string): Promise<void> {
    await this.db
      .update(jobs)
      .set({ state: "running", updatedAt: sql`now()` })
      .where(and(heldBy(id, token), eq(jobs.state, "queued")));
  }

  /**
   * Lets go of a job that stopped without finishing, as the runner's last write (after its final
   * checkpoint): one whose pause was requested becomes `paused` now, one stopped by a shutdown (or
   * whose pause request was withdrawn by a resume) goes back to the queue, where any runner takes it
   * again; a cancelling one stays cancelling (the next runner to take it cancels it).
   */
  async release(id: string, token: string, live: Partial<LiveProgress> = {}): Promise<Job | null> {
    const [row] = await this.db
      .update(jobs)
      .set({
        ...live,
        rate: null,
        state: sql`case
          when ${jobs.state} in ('running', 'queued') and ${jobs.pauseRequested} then 'paused'
          when ${jobs.state} in ('running', 'queued') then 'queued'
          else ${jobs.state} end`,
        pauseRequested: false,
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: sql`now()`,
      })
      .where(heldBy(id, token))
      .returning();
    return fromRow(row);
  }

  /** Ends a job the runner holds. `matched` becomes `processed`: what was never processed is not counted. */
  async finish(
    id: string,
    token: string,
    end: { state: "succeeded" | "failed" | "cancelled"; error?: string | null; result?: unknown; live?: Partial<LiveProgress> },
  ): Promise<Job | null> {
    const runningMs = end.live?.runningMs;
    const [row] = await this.db
      .update(jobs)
      .set({
        ...end.live,
        // Processed keys per second of running time, over all the job's runs.
        averageRate: runningMs
          ? sql`${jobs.processed}::float8 * 1000 / ${runningMs}::float8`
          : sql`case when ${jobs.runningMs} > 0 then ${jobs.processed}::float8 * 1000 / ${jobs.runningMs}::float8 end`,
        state: end.state,
        error: end.error == null ? null : printableText(end.error),
        ...(end.result !== undefined ? { result: storedJson(end.result) } : {}),
        ...(end.state === "failed" ? {} : { matched: sql`${jobs.processed}` }),
        pauseRequested: false,
        rate: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(heldBy(id, token))
      .returning();
    return fromRow(row);
  }

  /**
   * Marks a plan (a succeeded dry run of `kind`) as applied by `applyId`, unless it was already:
   * one statement, so two applies started at once never both claim it. Returns the plan's row
   * when this call claimed it, null otherwise.
   */
  async claimPlan(planId: string, kind: Job["kind"], applyId: string): Promise<Job | null> {
    const [row] = await this.db
      .update(jobs)
      .set({
        result: sql`coalesce(${jobs.result}, '{}'::jsonb) || jsonb_build_object('appliedBy', ${applyId}::text, 'appliedAt', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(jobs.id, planId),
          eq(jobs.kind, kind),
          eq(jobs.dryRun, true),
          eq(jobs.state, "succeeded"),
          sql`(${jobs.result} ->> 'appliedBy') is null`,
        ),
      )
      .returning();
    return fromRow(row);
  }

  // ---- requests from the API (any process): store/requests.server.ts ----

  requestPause(id: string): Promise<Job | null> {
    return requestPause(this.db, id);
  }

  requestResume(id: string): Promise<Job | null> {
    return requestResume(this.db, id);
  }

  requestCancel(id: string): Promise<Job | null> {
    return requestCancel(this.db, id);
  }
}
