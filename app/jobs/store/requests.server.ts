// Pause, resume and cancel as requested from the API (any process). A job's row only shows
// `paused` or `cancelled` once nobody holds it any more: while a live runner holds the job, a pause
// is a request on the row (`pause_requested`, the state staying `running`) and a cancel is
// `cancelling`; the runner itself writes `paused` / `cancelled` in its last write (see
// store.server.ts). Where a request itself writes `paused` or `cancelled` (no live runner), it
// clears the lease too, so a runner that merely stalled can no longer write.
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { type Job, jobs } from "~/db/schema";
import { CANCELLABLE_STATES, PAUSABLE_STATES, RESUMABLE_STATES } from "../types";
import { fromRow, held } from "./rows.server";

/** The lease as it is while a live runner holds the job, cleared otherwise. */
const leaseIfHeld = {
  leaseOwner: sql`case when ${held} then ${jobs.leaseOwner} else null end`,
  leaseExpiresAt: sql`case when ${held} then ${jobs.leaseExpiresAt} else null end`,
};

/**
 * Pauses: at once when no live runner holds the job (queued, or its runner died), otherwise the
 * row stays `running` with a pause request until the runner has finished its batches in flight,
 * saved its checkpoint and let go (release() then writes `paused`).
 */
export async function requestPause(db: Db, id: string): Promise<Job | null> {
  const [row] = await db
    .update(jobs)
    .set({
      state: sql`case when ${held} then ${jobs.state} else 'paused' end`,
      pauseRequested: held,
      rate: sql`case when ${held} then ${jobs.rate} else null end`,
      ...leaseIfHeld,
      updatedAt: sql`now()`,
    })
    .where(and(eq(jobs.id, id), inArray(jobs.state, PAUSABLE_STATES)))
    .returning();
  return fromRow(row);
}

/**
 * Queues a paused (or failed) job again; it continues from its checkpoint. A pause still pending
 * (its runner has not stopped yet) is withdrawn: the job carries on, or, if its runner already
 * stopped, goes back to the queue when it lets go.
 */
export async function requestResume(db: Db, id: string): Promise<Job | null> {
  const idle = inArray(jobs.state, RESUMABLE_STATES);
  const [row] = await db
    .update(jobs)
    .set({
      state: sql`case when ${idle} then 'queued' else ${jobs.state} end`,
      pauseRequested: false,
      error: null,
      averageRate: null,
      stalledTakeovers: 0,
      finishedAt: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(jobs.id, id), or(idle, and(inArray(jobs.state, PAUSABLE_STATES), eq(jobs.pauseRequested, true)))))
    .returning();
  return fromRow(row);
}

/**
 * Cancels: at once when no live runner holds the job (queued, paused, or its runner died),
 * otherwise `cancelling` until the runner has stopped its batches (finish() then writes
 * `cancelled`). A pending pause request gives way to the cancel.
 */
export async function requestCancel(db: Db, id: string): Promise<Job | null> {
  const [row] = await db
    .update(jobs)
    .set({
      state: sql`case when ${held} then 'cancelling' else 'cancelled' end`,
      matched: sql`case when ${held} then ${jobs.matched} else ${jobs.processed} end`,
      finishedAt: sql`case when ${held} then null else now() end`,
      pauseRequested: false,
      rate: null,
      ...leaseIfHeld,
      updatedAt: sql`now()`,
    })
    .where(and(eq(jobs.id, id), inArray(jobs.state, CANCELLABLE_STATES)))
    .returning();
  return fromRow(row);
}
