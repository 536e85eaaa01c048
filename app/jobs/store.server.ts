// The jobs tables: jobs, job_errors, job_keys. SQL for them lives here and nowhere else.
//
// A runner holds a job through a lease: `lease_owner` is a token unique to that lease and every
// write of a running job names it, so a runner that lost its lease (it stalled past the expiry and
// another runner took over) can no longer move the job's counters or checkpoint.
//
// A job's row only shows `paused` or `cancelled` once nobody holds it any more: while a live runner
// holds the job, a pause is a request on the row (`running` with `checkpoint.pauseRequested`), as a
// cancel is `cancelling`, and the runner itself writes `paused` / `cancelled` in its last write,
// after its batches in flight have finished, with its final counters and checkpoint, and lets go
// of the lease in the same statement. Where the request itself writes `paused` or `cancelled` (no
// live runner), it clears the lease too, so a runner that merely stalled can no longer write.
//
// Key names (job_errors.key, job_keys.key, and every string of the payload, checkpoint and result
// jsonb) are stored escaped by ~/db/key-text, so a name holding U+0000 (which PostgreSQL refuses in
// text and jsonb) is written and read back losslessly; error texts are stored printable.
import { and, asc, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { escapeJsonStrings, escapeKeyText, printableText, unescapeJsonStrings, unescapeKeyText } from "~/db/key-text";
import { jobErrors, jobKeys, jobs, type Job, type NewJob } from "~/db/schema";
import type { JobCounters, JobState } from "./types";

export type JobKeySet = (typeof jobKeys.$inferSelect)["set"];

export interface KeyError {
  key: string;
  error: string;
}

/** Counters that only move when a batch's outcome is checkpointed. */
export type CommittedCounters = Pick<JobCounters, "processed" | "succeeded" | "failed" | "skipped">;

/**
 * The write-ahead of a pipeline's batches in flight (see pipeline.server.ts): job_keys rows of the
 * set `inflight`, `line` holding the batch id. Not one of the schema's declared sets (the column is
 * plain text), so only the raw SQL below touches it.
 */
const INFLIGHT = "inflight";
/** Characters of keys (as JSON) per row of the write-ahead: well within a btree entry. */
const INFLIGHT_ROW_CHARS = 1000;

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

/** A row as the rest of the app sees it: the jsonb columns' strings unescaped. */
function fromRow(row: Job): Job;
function fromRow(row: Job | undefined): Job | null;
function fromRow(row: Job | undefined): Job | null {
  if (!row) return null;
  return {
    ...row,
    payload: unescapeJsonStrings(row.payload),
    checkpoint: unescapeJsonStrings(row.checkpoint),
    result: unescapeJsonStrings(row.result),
  };
}

const storedJson = (value: unknown) => (value === undefined ? undefined : escapeJsonStrings(value));

const INSERT_CHUNK = 5_000;
const ERROR_CHUNK = 1_000;

const leaseEnd = (leaseMs: number) => sql`now() + make_interval(secs => ${leaseMs / 1000})`;

/** The key of `checkpoint` that holds a pause request its runner has not acted on yet. */
export const PAUSE_REQUESTED = "pauseRequested";

/** True when a pause was requested and the runner holding the job has not stopped yet. */
export function isPauseRequested(row: Pick<Job, "checkpoint">): boolean {
  const checkpoint = row.checkpoint;
  return typeof checkpoint === "object" && checkpoint !== null && (checkpoint as Record<string, unknown>)[PAUSE_REQUESTED] === true;
}

const pauseKey = sql.raw(`'${PAUSE_REQUESTED}'`);
const pauseMark = sql.raw(`'${JSON.stringify({ [PAUSE_REQUESTED]: true })}'::jsonb`);
/** SQL: the row holds a pause request. */
const pauseRequested = sql`coalesce(jsonb_typeof(${jobs.checkpoint}) = 'object' and (${jobs.checkpoint} -> ${pauseKey}) = 'true'::jsonb, false)`;
/** SQL: the row's checkpoint without its pause request. */
const withoutPauseRequest = sql`case when ${pauseRequested} then ${jobs.checkpoint} - ${pauseKey} else ${jobs.checkpoint} end`;
/** SQL: a live runner holds the job (its lease has not lapsed). */
const held = sql`(${jobs.leaseOwner} is not null and ${jobs.leaseExpiresAt} >= now())`;

export class JobStore {
  constructor(readonly db: Db) {}

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
          options.before ? sql`${jobs.createdAt} < ${options.before}` : undefined,
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
    const result = (await this.db.execute(sql`
      update jobs set
        state = case when state = 'cancelling' then 'cancelling' else 'running' end,
        lease_owner = ${token},
        lease_expires_at = ${leaseEnd(leaseMs)},
        attempts = attempts + 1,
        -- Taken from a runner that died holding it (not queued): one more takeover; progress resets it.
        stalled_takeovers = case when state in ('running', 'cancelling') and lease_owner is not null then stalled_takeovers + 1 else stalled_takeovers end,
        started_at = coalesce(started_at, now()),
        updated_at = now()
      where id = (
        select id from jobs
        where (state = 'queued' and (lease_owner is null or lease_expires_at < now()))
           or (state in ('running', 'cancelling') and (lease_expires_at is null or lease_expires_at < now()))
        order by created_at, id
        for update skip locked
        limit 1)
      returning id`)) as unknown as { rows: { id: string }[] };
    const id = result.rows[0]?.id;
    return id ? this.get(id) : null;
  }

  /** Renews the lease and publishes live progress; null when the lease is lost. */
  async tick(id: string, token: string, leaseMs: number, live: LiveProgress): Promise<Job | null> {
    const [row] = await this.db
      .update(jobs)
      .set({ ...live, leaseExpiresAt: leaseEnd(leaseMs) as unknown as Date, updatedAt: sql`now()` as unknown as Date })
      .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, token)))
      .returning();
    return fromRow(row);
  }

  /**
   * Saves a checkpoint, the counters it accounts for and the per-key errors of the batches it
   * covers, in one transaction: a crash leaves either all of them or none. A pause request on the
   * row is kept (the runner acts on it when it reads the row this returns).
   */
  async checkpoint(
    id: string,
    token: string,
    leaseMs: number,
    save: { counters: CommittedCounters; checkpoint: unknown; live: LiveProgress; result?: unknown },
    errors: KeyError[],
    inflightDone: InflightDone = { batches: [] },
  ): Promise<Job | null> {
    const saved = save.checkpoint === null || save.checkpoint === undefined ? null : JSON.stringify(escapeJsonStrings(save.checkpoint));
    const checkpoint = sql`case when ${pauseRequested} then coalesce(${saved}::jsonb, '{}'::jsonb) || ${pauseMark} else ${saved}::jsonb end`;
    // Progress (more keys processed, or the checkpoint moved) ends a run of takeovers without it.
    const stalled = sql`case when ${save.counters.processed}::bigint > ${jobs.processed} or ${saved}::jsonb is distinct from ${withoutPauseRequest} then 0 else ${jobs.stalledTakeovers} end`;
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(jobs)
        .set({
          ...save.counters,
          ...save.live,
          checkpoint: checkpoint as unknown as Job["checkpoint"],
          stalledTakeovers: stalled as unknown as number,
          ...(save.result !== undefined ? { result: storedJson(save.result) } : {}),
          leaseExpiresAt: leaseEnd(leaseMs) as unknown as Date,
          updatedAt: sql`now()` as unknown as Date,
        })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, token)))
        .returning();
      if (!row) return null;
      for (let i = 0; i < errors.length; i += ERROR_CHUNK) {
        await tx
          .insert(jobErrors)
          .values(errors.slice(i, i + ERROR_CHUNK).map((e) => ({ jobId: id, key: escapeKeyText(e.key), error: printableText(e.error) })));
      }
      // The batches this checkpoint accounts for are no longer in flight.
      if (inflightDone.batches.length > 0) {
        await tx.execute(sql`delete from job_keys where job_id = ${id} and set = ${INFLIGHT}
          and line in (select (jsonb_array_elements_text(${JSON.stringify(inflightDone.batches)}::jsonb))::int)`);
      }
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
      .set({ state: "running", updatedAt: sql`now()` as unknown as Date })
      .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, token), eq(jobs.state, "queued")));
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
          when ${jobs.state} in ('running', 'queued') and ${pauseRequested} then 'paused'
          when ${jobs.state} in ('running', 'queued') then 'queued'
          else ${jobs.state} end` as unknown as JobState,
        checkpoint: withoutPauseRequest as unknown as Job["checkpoint"],
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, token)))
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
        averageRate: (runningMs
          ? sql`${jobs.processed}::float8 * 1000 / ${runningMs}::float8`
          : sql`case when ${jobs.runningMs} > 0 then ${jobs.processed}::float8 * 1000 / ${jobs.runningMs}::float8 end`) as unknown as number,
        state: end.state,
        error: end.error == null ? null : printableText(end.error),
        ...(end.result !== undefined ? { result: storedJson(end.result) } : {}),
        ...(end.state === "failed" ? {} : { matched: sql`${jobs.processed}` as unknown as number }),
        checkpoint: withoutPauseRequest as unknown as Job["checkpoint"],
        rate: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: sql`now()` as unknown as Date,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, token)))
      .returning();
    return fromRow(row);
  }

  // ---- requests from the API (any process) ----

  /**
   * Pauses: at once when no live runner holds the job (queued, or its runner died), otherwise the
   * row stays `running` with a pause request until the runner has finished its batches in flight,
   * saved its checkpoint and let go (release() then writes `paused`).
   */
  async requestPause(id: string): Promise<Job | null> {
    const [row] = await this.db
      .update(jobs)
      .set({
        state: sql`case when ${held} then ${jobs.state} else 'paused' end` as unknown as JobState,
        checkpoint:
          sql`case when ${held} then coalesce(${jobs.checkpoint}, '{}'::jsonb) || ${pauseMark} else ${withoutPauseRequest} end` as unknown as Job["checkpoint"],
        rate: sql`case when ${held} then ${jobs.rate} else null end` as unknown as number,
        // A runner that merely stalled past its lease must not write to a paused job any more.
        leaseOwner: sql`case when ${held} then ${jobs.leaseOwner} else null end` as unknown as string,
        leaseExpiresAt: sql`case when ${held} then ${jobs.leaseExpiresAt} else null end` as unknown as Date,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(and(eq(jobs.id, id), inArray(jobs.state, ["queued", "running"])))
      .returning();
    return fromRow(row);
  }

  /**
   * Queues a paused (or failed) job again; it continues from its checkpoint. A pause still
   * pending (its runner has not stopped yet) is withdrawn: the job carries on, or, if its runner
   * already stopped, goes back to the queue when it lets go.
   */
  async requestResume(id: string): Promise<Job | null> {
    const idle = sql`${jobs.state} in ('paused', 'failed')`;
    const [row] = await this.db
      .update(jobs)
      .set({
        state: sql`case when ${idle} then 'queued' else ${jobs.state} end` as unknown as JobState,
        checkpoint: withoutPauseRequest as unknown as Job["checkpoint"],
        error: null,
        averageRate: null,
        stalledTakeovers: 0,
        finishedAt: null,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(and(eq(jobs.id, id), sql`(${idle} or (${jobs.state} in ('queued', 'running') and ${pauseRequested}))`))
      .returning();
    return fromRow(row);
  }

  /**
   * Cancels: at once when no live runner holds the job (queued, paused, or its runner died),
   * otherwise `cancelling` until the runner has stopped its batches (finish() then writes
   * `cancelled`). A pending pause request gives way to the cancel.
   */
  async requestCancel(id: string): Promise<Job | null> {
    const [row] = await this.db
      .update(jobs)
      .set({
        state: sql`case when ${held} then 'cancelling' else 'cancelled' end` as unknown as JobState,
        matched: sql`case when ${held} then ${jobs.matched} else ${jobs.processed} end` as unknown as number,
        finishedAt: sql`case when ${held} then null else now() end` as unknown as Date,
        checkpoint: withoutPauseRequest as unknown as Job["checkpoint"],
        rate: null,
        // A runner that merely stalled past its lease must not write to a cancelled job any more.
        leaseOwner: sql`case when ${held} then ${jobs.leaseOwner} else null end` as unknown as string,
        leaseExpiresAt: sql`case when ${held} then ${jobs.leaseExpiresAt} else null end` as unknown as Date,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(and(eq(jobs.id, id), inArray(jobs.state, ["queued", "running", "paused"])))
      .returning();
    return fromRow(row);
  }

  // ---- the error report ----

  async listErrors(id: string, options: { limit: number; offset: number }) {
    const rows = await this.db
      .select({ key: jobErrors.key, error: jobErrors.error, at: jobErrors.at })
      .from(jobErrors)
      .where(eq(jobErrors.jobId, id))
      .orderBy(asc(jobErrors.id))
      .limit(options.limit)
      .offset(options.offset);
    return rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  /** Errors after row `afterId`, for streaming the whole report page by page. */
  async errorsAfter(id: string, afterId: number, limit: number) {
    const rows = await this.db
      .select()
      .from(jobErrors)
      .where(and(eq(jobErrors.jobId, id), gt(jobErrors.id, afterId)))
      .orderBy(asc(jobErrors.id))
      .limit(limit);
    return rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  async countErrors(id: string): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::float8` })
      .from(jobErrors)
      .where(eq(jobErrors.jobId, id));
    return Number(row?.n ?? 0);
  }

  async clearErrors(id: string): Promise<void> {
    await this.db.delete(jobErrors).where(eq(jobErrors.jobId, id));
  }

  // ---- batches in flight (write-ahead) ----

  /**
   * Notes a batch's keys as in flight, before its requests are sent: one statement, and only while
   * `token` holds the job (a runner that lost its lease writes nothing). Compact: a row holds a
   * JSON array of up to ~1,000 characters of keys (its `key` is the batch id, the row's number
   * and the array), so a batch of 10,000 keys is some 150 rows, not 10,000.
   */
  async addInflight(id: string, token: string, batch: number, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const rows: string[] = [];
    let chunk: string[] = [];
    let size = 0;
    const flush = () => {
      rows.push(`${batch}.${rows.length}\n${JSON.stringify(chunk)}`);
      chunk = [];
      size = 0;
    };
    for (const key of keys) {
      const length = JSON.stringify(key).length + 1;
      if (chunk.length > 0 && size + length > INFLIGHT_ROW_CHARS) flush();
      chunk.push(key);
      size += length;
    }
    if (chunk.length > 0) flush();
    await this.db.execute(sql`
      insert into job_keys (job_id, set, key, line)
      select ${id}, ${INFLIGHT}, k collate "C", ${batch}::int from jsonb_array_elements_text(${JSON.stringify(rows)}::jsonb) as t(k)
      where exists (select 1 from jobs where id = ${id} and lease_owner = ${token})
      on conflict (job_id, set, key) do nothing`);
  }

  /** The batches left in flight by an earlier run: batch id → its keys, in the order written. */
  async inflightBatches(id: string): Promise<Map<number, string[]>> {
    const result = (await this.db.execute(sql`select key, line from job_keys where job_id = ${id} and set = ${INFLIGHT}`)) as unknown as {
      rows: { key: string; line: number }[];
    };
    const parsed = result.rows.map((row) => {
      const newline = row.key.indexOf("\n");
      return {
        batch: row.line,
        index: Number(row.key.slice(row.key.indexOf(".") + 1, newline)),
        keys: JSON.parse(row.key.slice(newline + 1)) as string[],
      };
    });
    parsed.sort((a, b) => a.batch - b.batch || a.index - b.index);
    const batches = new Map<number, string[]>();
    for (const row of parsed) batches.set(row.batch, [...(batches.get(row.batch) ?? []), ...row.keys]);
    return batches;
  }

  async clearInflight(id: string): Promise<void> {
    await this.db.execute(sql`delete from job_keys where job_id = ${id} and set = ${INFLIGHT}`);
  }

  // ---- key sets ----

  /** Adds keys to a set (duplicates are dropped); returns how many were new. */
  async addKeys(id: string, set: JobKeySet, keys: { key: string; line?: number }[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
      const chunk = JSON.stringify(keys.slice(i, i + INSERT_CHUNK).map((k) => ({ k: escapeKeyText(k.key), l: k.line ?? null })));
      const result = (await this.db.execute(sql`
        with added as (
          insert into job_keys (job_id, set, key, line)
          select ${id}, ${set}, j->>'k', (j->>'l')::int from jsonb_array_elements(${chunk}::jsonb) as t(j)
          on conflict do nothing
          returning 1)
        select count(*)::float8 as n from added`)) as unknown as { rows: { n: number }[] };
      added += Number(result.rows[0]?.n ?? 0);
    }
    return added;
  }

  /**
   * Records target keys that already exist: all of `keys`, or (with `among`) only those that are
   * also in that set, e.g. the keys of the import file. Returns how many were new.
   */
  async addExisting(id: string, keys: string[], among?: JobKeySet): Promise<number> {
    if (keys.length === 0) return 0;
    const filter = among
      ? sql`where exists (select 1 from job_keys f where f.job_id = ${id} and f.set = ${among} and f.key = input.key)`
      : sql``;
    const result = (await this.db.execute(sql`
      with input as (select k collate "C" as key from jsonb_array_elements_text(${JSON.stringify(keys.map(escapeKeyText))}::jsonb) as t(k)),
      added as (
        insert into job_keys (job_id, set, key)
        select ${id}, 'existing', input.key from input ${filter}
        on conflict do nothing
        returning 1)
      select count(*)::float8 as n from added`)) as unknown as { rows: { n: number }[] };
    return Number(result.rows[0]?.n ?? 0);
  }

  /**
   * Adds an import file's keys with their line numbers. Returns the items whose key was already
   * there (a duplicate in the file), each with the line the key first appeared on.
   */
  async addFileKeys(id: string, keys: { key: string; line: number }[]): Promise<{ key: string; line: number; firstLine: number }[]> {
    if (keys.length === 0) return [];
    const input = JSON.stringify(keys.map((k) => ({ k: escapeKeyText(k.key), l: k.line })));
    const result = (await this.db.execute(sql`
      with input as (
        select j->>'k' collate "C" as key, (j->>'l')::int as line from jsonb_array_elements(${input}::jsonb) as t(j)),
      inserted as (
        insert into job_keys (job_id, set, key, line)
        select distinct on (key) ${id}, 'file', key, line from input order by key, line
        on conflict do nothing
        returning key, line)
      select i.key, i.line, coalesce(
          (select f.line from job_keys f where f.job_id = ${id} and f.set = 'file' and f.key = i.key),
          (select min(x.line) from input x where x.key = i.key)) as "firstLine"
      from input i
      where not exists (select 1 from inserted n where n.key = i.key and n.line = i.line)
      order by i.line`)) as unknown as { rows: { key: string; line: number; firstLine: number }[] };
    return result.rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  /** Which of `keys` are in `set`. */
  async keysIn(id: string, set: JobKeySet, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db
      .select({ key: jobKeys.key })
      .from(jobKeys)
      .where(and(eq(jobKeys.jobId, id), eq(jobKeys.set, set), inArray(jobKeys.key, keys.map(escapeKeyText))));
    return new Set(rows.map((r) => unescapeKeyText(r.key)));
  }

  /** One page of a set in key order, after `after` (exclusive). */
  async pageKeys(id: string, set: JobKeySet, after: string | null, limit: number): Promise<{ key: string; line: number | null }[]> {
    const rows = await this.db
      .select({ key: jobKeys.key, line: jobKeys.line })
      .from(jobKeys)
      .where(and(eq(jobKeys.jobId, id), eq(jobKeys.set, set), after === null ? undefined : gt(jobKeys.key, escapeKeyText(after))))
      .orderBy(asc(jobKeys.key))
      .limit(limit);
    return rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  async countKeys(id: string, set: JobKeySet): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::float8` })
      .from(jobKeys)
      .where(and(eq(jobKeys.jobId, id), eq(jobKeys.set, set)));
    return Number(row?.n ?? 0);
  }

  async clearKeys(id: string, set?: JobKeySet): Promise<void> {
    await this.db.delete(jobKeys).where(and(eq(jobKeys.jobId, id), set ? eq(jobKeys.set, set) : undefined));
  }
}
