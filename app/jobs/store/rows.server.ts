// What every part of the jobs store shares: a row as the rest of the app sees it (the jsonb
// columns' strings unescaped), the lease conditions.
import { and, eq, sql } from "drizzle-orm";
import { escapeJsonStrings, unescapeJsonStrings } from "~/db/key-text";
import { type Job, jobs } from "~/db/schema";

/** A row as the rest of the app sees it: the jsonb columns' strings unescaped. */
export function fromRow(row: Job): Job;
export function fromRow(row: Job | undefined): Job | null;
export function fromRow(row: Job | undefined): Job | null {
  if (!row) return null;
  return {
    ...row,
    payload: unescapeJsonStrings(row.payload),
    checkpoint: unescapeJsonStrings(row.checkpoint),
    result: unescapeJsonStrings(row.result),
  };
}

/** A jsonb value as stored: its strings escaped (undefined stays undefined: the column is not written). */
export const storedJson = (value: unknown) => (value === undefined ? undefined : escapeJsonStrings(value));

/** SQL: the end of a lease of `leaseMs` that starts now. */
export const leaseEnd = (leaseMs: number) => sql`now() + make_interval(secs => ${leaseMs / 1000})`;

/** SQL: a live runner holds the job (its lease has not lapsed). */
export const held = sql`(${jobs.leaseOwner} is not null and ${jobs.leaseExpiresAt} >= now())`;

/** The row `id` while `token` holds its lease: every write of a running job names it. */
export const heldBy = (id: string, token: string) => and(eq(jobs.id, id), eq(jobs.leaseOwner, token));
