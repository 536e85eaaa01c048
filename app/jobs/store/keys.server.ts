// Key sets a job works through without holding them in memory (job_keys): the keys of a
// delete-selected job (`selected`), an import file's keys with their lines (`file`), keys that
// already exist in a target namespace (`existing`). Names are stored escaped (~/db/key-text).
import { and, asc, count, eq, gt, inArray, sql } from "drizzle-orm";
import { type Db, rowsOf } from "~/db/client.server";
import { escapeKeyText, unescapeKeyText } from "~/db/key-text";
import { type JOB_KEY_SETS, jobKeys } from "~/db/schema";

export type JobKeySet = (typeof JOB_KEY_SETS)[number];

const INSERT_CHUNK = 5_000;

export class JobKeySets {
  constructor(private readonly db: Db) {}

  /** Adds keys to a set (duplicates are dropped); returns how many were new. */
  async add(jobId: string, set: JobKeySet, keys: { key: string; line?: number }[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
      const chunk = JSON.stringify(keys.slice(i, i + INSERT_CHUNK).map((k) => ({ k: escapeKeyText(k.key), l: k.line ?? null })));
      const rows = await this.db
        .insert(jobKeys)
        .select(sql`select ${jobId}, ${set}, j->>'k', (j->>'l')::int from jsonb_array_elements(${chunk}::jsonb) as t(j)`)
        .onConflictDoNothing()
        .returning({ line: jobKeys.line });
      added += rows.length;
    }
    return added;
  }

  /**
   * Records target keys that already exist: all of `keys`, or (with `among`) only those that are
   * also in that set, e.g. the keys of the import file. Returns how many were new.
   */
  async addExisting(jobId: string, keys: string[], among?: JobKeySet): Promise<number> {
    if (keys.length === 0) return 0;
    const input = sql`(select k collate "C" as key from jsonb_array_elements_text(${JSON.stringify(keys.map(escapeKeyText))}::jsonb) as t(k)) as input`;
    const filter = among
      ? sql`where exists (select 1 from job_keys f where f.job_id = ${jobId} and f.set = ${among} and f.key = input.key)`
      : sql``;
    const rows = await this.db
      .insert(jobKeys)
      .select(sql`select ${jobId}, 'existing', input.key, null::int from ${input} ${filter}`)
      .onConflictDoNothing()
      .returning({ line: jobKeys.line });
    return rows.length;
  }

  /**
   * Adds an import file's keys with their line numbers. Returns the items whose key was already
   * there (a duplicate in the file), each with the line the key first appeared on.
   */
  async addFileKeys(jobId: string, keys: { key: string; line: number }[]): Promise<{ key: string; line: number; firstLine: number }[]> {
    if (keys.length === 0) return [];
    const input = JSON.stringify(keys.map((k) => ({ k: escapeKeyText(k.key), l: k.line })));
    const rows = await rowsOf<{ key: string; line: number; firstLine: number }>(
      this.db,
      sql`
      with input as (
        select j->>'k' collate "C" as key, (j->>'l')::int as line from jsonb_array_elements(${input}::jsonb) as t(j)),
      inserted as (
        insert into job_keys (job_id, set, key, line)
        select distinct on (key) ${jobId}, 'file', key, line from input order by key, line
        on conflict do nothing
        returning key, line)
      select i.key, i.line, coalesce(
          (select f.line from job_keys f where f.job_id = ${jobId} and f.set = 'file' and f.key = i.key),
          (select min(x.line) from input x where x.key = i.key)) as "firstLine"
      from input i
      where not exists (select 1 from inserted n where n.key = i.key and n.line = i.line)
      order by i.line`,
    );
    return rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  /** Which of `keys` are in `set`. */
  async keysIn(jobId: string, set: JobKeySet, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db
      .select({ key: jobKeys.key })
      .from(jobKeys)
      .where(and(eq(jobKeys.jobId, jobId), eq(jobKeys.set, set), inArray(jobKeys.key, keys.map(escapeKeyText))));
    return new Set(rows.map((r) => unescapeKeyText(r.key)));
  }

  /** One page of a set in key order, after `after` (exclusive). */
  async page(jobId: string, set: JobKeySet, after: string | null, limit: number): Promise<{ key: string; line: number | null }[]> {
    const rows = await this.db
      .select({ key: jobKeys.key, line: jobKeys.line })
      .from(jobKeys)
      .where(and(eq(jobKeys.jobId, jobId), eq(jobKeys.set, set), after === null ? undefined : gt(jobKeys.key, escapeKeyText(after))))
      .orderBy(asc(jobKeys.key))
      .limit(limit);
    return rows.map((row) => ({ ...row, key: unescapeKeyText(row.key) }));
  }

  async count(jobId: string, set: JobKeySet): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(jobKeys)
      .where(and(eq(jobKeys.jobId, jobId), eq(jobKeys.set, set)));
    return row?.n ?? 0;
  }

  async clear(jobId: string, set?: JobKeySet): Promise<void> {
    await this.db.delete(jobKeys).where(and(eq(jobKeys.jobId, jobId), set ? eq(jobKeys.set, set) : undefined));
  }
}
