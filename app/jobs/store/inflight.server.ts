// The write-ahead of a pipeline's batches in flight (job_inflight; see pipeline.server.ts): one
// row per batch, its keys in the order sent, escaped (~/db/key-text) so that any name fits jsonb.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { escapeKeyText, unescapeKeyText } from "~/db/key-text";
import { jobInflight } from "~/db/schema";

/** In a checkpoint's transaction (`db` is the transaction): the batches it accounts for are no longer in flight. */
export async function removeInflight(db: Db, jobId: string, batches: number[]): Promise<void> {
  if (batches.length === 0) return;
  await db.delete(jobInflight).where(and(eq(jobInflight.jobId, jobId), inArray(jobInflight.batch, batches)));
}

export class JobInflight {
  constructor(private readonly db: Db) {}

  /**
   * Notes a batch's keys as in flight, before its requests are sent: one statement, and only while
   * `token` holds the job (a runner that lost its lease writes nothing).
   */
  async add(jobId: string, token: string, batch: number, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const stored = JSON.stringify(keys.map(escapeKeyText));
    await this.db
      .insert(jobInflight)
      .select(
        sql`select ${jobId}, ${batch}::int, ${stored}::jsonb where exists (select 1 from jobs where id = ${jobId} and lease_owner = ${token})`,
      )
      .onConflictDoNothing();
  }

  /** The batches left in flight by an earlier run: batch id → its keys, in the order written. */
  async batches(jobId: string): Promise<Map<number, string[]>> {
    const rows = await this.db
      .select({ batch: jobInflight.batch, keys: jobInflight.keys })
      .from(jobInflight)
      .where(eq(jobInflight.jobId, jobId))
      .orderBy(asc(jobInflight.batch));
    return new Map(rows.map((row) => [row.batch, row.keys.map(unescapeKeyText)]));
  }

  async clear(jobId: string): Promise<void> {
    await this.db.delete(jobInflight).where(eq(jobInflight.jobId, jobId));
  }
}
