// The per-key error report of a job (job_errors). Key names are stored escaped (~/db/key-text),
// error texts printable.
import { and, asc, count, eq, gt } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { escapeKeyText, printableText, unescapeKeyText } from "~/db/key-text";
import { jobErrors } from "~/db/schema";

export interface KeyError {
  key: string;
  error: string;
}

const ERROR_CHUNK = 1_000;

/** Appends errors to a job's report; called inside the checkpoint's transaction (`db` is the transaction). */
export async function insertErrors(db: Db, jobId: string, errors: KeyError[]): Promise<void> {
  for (let i = 0; i < errors.length; i += ERROR_CHUNK) {
    await db
      .insert(jobErrors)
      .values(errors.slice(i, i + ERROR_CHUNK).map((e) => ({ jobId, key: escapeKeyText(e.key), error: printableText(e.error) })));
  }
}

export class JobErrorReport {
  constructor(private readonly db: Db) {}

  async list(jobId: string, options: { limit: number; offset: number }) {
    const rows = await this.db
      .select({ key: jobErrors.key, error: jobErrors.error, at: jobErrors.at })
      .from(jobErrors)
      .where(eq(jobErrors.jobId, jobId))
      .orderBy(asc(jobErrors.id))
      .limit(options.limit)
      .offset(options.offset);
    return rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  /** Errors after row `afterId`, for streaming the whole report page by page. */
  async after(jobId: string, afterId: number, limit: number) {
    const rows = await this.db
      .select()
      .from(jobErrors)
      .where(and(eq(jobErrors.jobId, jobId), gt(jobErrors.id, afterId)))
      .orderBy(asc(jobErrors.id))
      .limit(limit);
    return rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  async count(jobId: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(jobErrors).where(eq(jobErrors.jobId, jobId));
    return row?.n ?? 0;
  }

  async clear(jobId: string): Promise<void> {
    await this.db.delete(jobErrors).where(eq(jobErrors.jobId, jobId));
  }
}
