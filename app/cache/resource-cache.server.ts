// The optimistic resource cache: marks in the database, one row per (scope, item) or one per
// rule, each written atomically so concurrent actions, replicas and teammates never lose each
// other's marks. Loaders call merge() over fresh upstream pages; actions mark, then call the
// upstream, then fail() or rollbackOperation() only their own marks. SQL for `overlays` and
// `overlay_rules` lives here and nowhere else.
//
// Item ids (key names) are stored escaped by ~/db/key-text, as are the strings of the jsonb columns:
// any key name an upstream lists (U+0000 included) can be marked, ranged and cleared losslessly.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { escapeJsonStrings, escapeKeyText, printableText } from "~/db/key-text";
import { overlayRules, overlays } from "~/db/schema";
import { merge, notConfirmedMessage, type MergeResult, type PageRange } from "./merge";
import { KEYS_DONE, toOverlay, toRule } from "./rows";
import {
  STATUS_FOR_INTENT,
  type Expectation,
  type KeysDone,
  type Overlay,
  type OverlayIntent,
  type OverlayStatus,
  type RuleOverlay,
} from "./types";

/** How long a mark waits for the upstream to confirm it. Workers KV can take a minute or more. */
export const DEFAULT_OVERLAY_TTL_MS = 120_000;

export interface MarkOptions {
  opId: string;
  ttlMs?: number;
}

export interface MarkItem<T> {
  id: string;
  data?: T | null;
  expected?: Expectation | null;
}

export interface ProgressPatch {
  status?: OverlayStatus;
  progress?: number | null;
  stage?: string | null;
  message?: string | null;
  error?: string | null;
  retryCount?: number;
  maxRetries?: number;
  /** Push the deadline this far from now (a job that is still working). */
  extendTtlMs?: number;
}

export interface MergeOptions<T extends object, R extends object = object> {
  range?: PageRange;
  idOf: (item: T) => string;
  /** The order of ids (key order: UTF-8 bytes, as the `resource_id` column sorts). */
  compare: (a: string, b: string) => number;
  confirms: (listed: T, overlay: Overlay<T>) => boolean;
  ruleMatches?: (item: T, rule: RuleOverlay<R>) => boolean;
  /** Reads back values to confirm value changes a listing cannot show; returns the ids confirmed. */
  verify?: (overlays: Overlay<T>[]) => Promise<Set<string>>;
}

export class ResourceCache {
  constructor(
    private readonly db: Db,
    private readonly options: { defaultTtlMs?: number; now?: () => number } = {},
  ) {}

  /** How long a mark lives when its operation does not say. */
  get defaultTtlMs(): number {
    return this.options.defaultTtlMs ?? DEFAULT_OVERLAY_TTL_MS;
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  private deadline(ttlMs?: number) {
    return new Date(this.now() + (ttlMs ?? this.options.defaultTtlMs ?? DEFAULT_OVERLAY_TTL_MS));
  }

  /** Writes (or replaces) one mark per item, each row atomically. */
  private async mark<T>(scope: string, intent: OverlayIntent, items: MarkItem<T>[], opts: MarkOptions & Partial<ProgressPatch>) {
    if (items.length === 0) return;
    const now = new Date(this.now());
    const expiresAt = this.deadline(opts.ttlMs);
    // Rows go in chunks so a 100k-key selection does not become one giant statement.
    for (let i = 0; i < items.length; i += MARK_INSERT_ROWS) {
      const rows = items.slice(i, i + MARK_INSERT_ROWS).map((item) => ({
        scope,
        resourceId: escapeKeyText(item.id),
        opId: opts.opId,
        intent,
        status: opts.status ?? STATUS_FOR_INTENT[intent],
        data: escapeJsonStrings(item.data ?? null),
        expected: escapeJsonStrings(item.expected ?? null),
        progress: opts.progress ?? null,
        stage: opts.stage ?? null,
        message: opts.message == null ? null : printableText(opts.message),
        error: null,
        retryCount: opts.retryCount ?? 0,
        maxRetries: opts.maxRetries ?? 0,
        createdAt: now,
        updatedAt: now,
        expiresAt,
      }));
      await this.db
        .insert(overlays)
        .values(rows)
        .onConflictDoUpdate({
          target: [overlays.scope, overlays.resourceId],
          set: {
            opId: sql`excluded.op_id`,
            intent: sql`excluded.intent`,
            status: sql`excluded.status`,
            data: sql`excluded.data`,
            expected: sql`excluded.expected`,
            progress: sql`excluded.progress`,
            stage: sql`excluded.stage`,
            message: sql`excluded.message`,
            error: sql`null`,
            retryCount: sql`excluded.retry_count`,
            maxRetries: sql`excluded.max_retries`,
            createdAt: sql`excluded.created_at`,
            updatedAt: sql`excluded.updated_at`,
            expiresAt: sql`excluded.expires_at`,
          },
        });
    }
  }

  markAsDeleting(scope: string, ids: string[], opts: MarkOptions) {
    return this.mark(
      scope,
      "delete",
      ids.map((id) => ({ id })),
      opts,
    );
  }

  addAsCreating<T>(scope: string, items: MarkItem<T>[], opts: MarkOptions) {
    return this.mark(scope, "create", items, opts);
  }

  /** An update in place: the row shows `data` until the upstream lists what `expected` says. */
  updateInPlace<T>(scope: string, item: MarkItem<T>, opts: MarkOptions) {
    return this.mark(scope, "update", [item], opts);
  }

  /** A running operation on an item (a job on a namespace): the row shows its stage, message and progress. */
  markAsProcessing<T>(scope: string, item: MarkItem<T>, opts: MarkOptions & Partial<ProgressPatch>) {
    return this.mark(scope, "process", [item], opts);
  }

  /** A create whose id the upstream assigned (a namespace): the temporary mark becomes the real one. */
  async replaceCreated<T>(scope: string, temporaryId: string, item: MarkItem<T>, opts: MarkOptions) {
    await this.db.transaction(async (tx) => {
      await tx
        .delete(overlays)
        .where(and(eq(overlays.scope, scope), eq(overlays.resourceId, escapeKeyText(temporaryId)), eq(overlays.opId, opts.opId)));
      await new ResourceCache(tx as unknown as Db, this.options).mark(scope, "create", [item], opts);
    });
  }

  /**
   * Changes status, progress, stage, message, error or retries of one operation's marks of `ids`
   * (a job's progress on its namespace; `retrying n/m` on the keys a delete sends again). False if
   * the operation has none of them.
   */
  async updateMetadata(scope: string, ids: string | string[], opId: string, patch: ProgressPatch): Promise<boolean> {
    const { extendTtlMs, ...fields } = patch;
    if (fields.message) fields.message = printableText(fields.message);
    if (fields.error) fields.error = printableText(fields.error);
    let updated = 0;
    for (const chunk of chunked((typeof ids === "string" ? [ids] : ids).map(escapeKeyText), MARK_CHUNK)) {
      const rows = await this.db
        .update(overlays)
        .set({ ...fields, updatedAt: new Date(this.now()), ...(extendTtlMs ? { expiresAt: this.deadline(extendTtlMs) } : {}) })
        .where(and(eq(overlays.scope, scope), inArray(overlays.resourceId, chunk), eq(overlays.opId, opId)))
        .returning({ id: overlays.id });
      updated += rows.length;
    }
    return updated > 0;
  }

  /** The upstream refused these items: their marks stay, as errors, so the rows come back with a badge. */
  async fail(scope: string, opId: string, failures: { id: string; error: string }[]) {
    for (let i = 0; i < failures.length; i += MARK_CHUNK) {
      const chunk = JSON.stringify(
        failures.slice(i, i + MARK_CHUNK).map((f) => ({ id: escapeKeyText(f.id), error: printableText(f.error) })),
      );
      await this.db.execute(sql`
        update overlays set status = 'error', error = f.error, updated_at = now()
        from jsonb_to_recordset(${chunk}::jsonb) as f(id text, error text)
        where overlays.scope = ${scope} and overlays.resource_id = f.id and overlays.op_id = ${opId}`);
    }
  }

  /**
   * Takes back what one operation marked (all its marks, or those of `ids`; never another
   * operation's): the change did not happen (its write failed) or its failure was dismissed.
   */
  async rollbackOperation(opId: string, ids?: string[]): Promise<number> {
    if (ids && ids.length === 0) return 0;
    let removed = 0;
    const chunks = ids ? chunked(ids.map(escapeKeyText), MARK_CHUNK) : [null];
    for (const chunk of chunks) {
      const rows = await this.db
        .delete(overlays)
        .where(and(eq(overlays.opId, opId), chunk ? inArray(overlays.resourceId, chunk) : undefined))
        .returning({ id: overlays.id });
      removed += rows.length;
    }
    return removed;
  }

  async getOne<T>(scope: string, id: string): Promise<Overlay<T> | null> {
    const [row] = await this.db
      .select()
      .from(overlays)
      .where(and(eq(overlays.scope, scope), eq(overlays.resourceId, escapeKeyText(id))));
    return row ? toOverlay<T>(row) : null;
  }

  /** Stops showing an operation: its item marks and rule marks go. */
  async cancelOperation(opId: string): Promise<{ marks: number; rules: number }> {
    const marks = await this.rollbackOperation(opId);
    const rules = await this.db.delete(overlayRules).where(eq(overlayRules.opId, opId)).returning({ id: overlayRules.id });
    return { marks, rules: rules.length };
  }

  async addRule<R extends object>(
    scope: string,
    rule: R,
    opts: MarkOptions & { status?: RuleOverlay["status"]; message?: string },
  ): Promise<RuleOverlay<R>> {
    const [row] = await this.db
      .insert(overlayRules)
      .values({
        scope,
        opId: opts.opId,
        rule: escapeJsonStrings(rule),
        status: opts.status ?? "deleting",
        message: opts.message == null ? null : printableText(opts.message),
        createdAt: new Date(this.now()),
        expiresAt: this.deadline(opts.ttlMs),
      })
      .returning();
    return toRule<R>(row);
  }

  async updateRule(opId: string, patch: { progress?: number | null; message?: string | null; extendTtlMs?: number }) {
    const { extendTtlMs, ...fields } = patch;
    if (fields.message) fields.message = printableText(fields.message);
    await this.db
      .update(overlayRules)
      .set({ ...fields, ...(extendTtlMs ? { expiresAt: this.deadline(extendTtlMs) } : {}) })
      .where(eq(overlayRules.opId, opId));
  }

  /**
   * An operation that stopped part-way (a cancelled, failed or paused purge): its rules keep hiding
   * only the keys it is done with (`done`), for `ttlMs` more (the upstream's consistency delay), so
   * what it deleted does not come back while the upstream catches up and what it did not delete
   * shows again at once. With nothing done, its rules go.
   */
  async narrowRules(opId: string, done: KeysDone, patch: { ttlMs: number; message?: string | null }): Promise<void> {
    if (done.through === null && done.ranges.length === 0) {
      await this.db.delete(overlayRules).where(eq(overlayRules.opId, opId));
      return;
    }
    // One statement for all of the operation's rules: `||` sets (or replaces) the rule's KeysDone.
    const keysDone = JSON.stringify(escapeJsonStrings({ [KEYS_DONE]: done }));
    await this.db
      .update(overlayRules)
      .set({
        rule: sql`${overlayRules.rule} || ${keysDone}::jsonb`,
        expiresAt: this.deadline(patch.ttlMs),
        progress: null,
        ...(patch.message !== undefined ? { message: patch.message === null ? null : printableText(patch.message) } : {}),
      })
      .where(eq(overlayRules.opId, opId));
  }

  async rules<R extends object = object>(scope: string): Promise<RuleOverlay<R>[]> {
    const rows = await this.db.select().from(overlayRules).where(eq(overlayRules.scope, scope));
    return rows.map((row) => toRule<R>(row));
  }

  /**
   * Merges the marks of `scope` over a fresh upstream page. Marks the page confirms are cleared,
   * marks past their TTL become errors; both only if the same operation still owns the row.
   */
  async merge<T extends object, R extends object = object>(
    scope: string,
    fresh: T[],
    options: MergeOptions<T, R>,
  ): Promise<MergeResult<T>> {
    const range = options.range ?? {};
    const conditions = [eq(overlays.scope, scope)];
    // The escaping keeps byte order and prefixes, so escaped bounds select the same marks.
    if (range.after != null) conditions.push(sql`${overlays.resourceId} > ${escapeKeyText(range.after)}`);
    if (range.through != null) conditions.push(sql`${overlays.resourceId} <= ${escapeKeyText(range.through)}`);
    if (range.prefix) conditions.push(sql`starts_with(${overlays.resourceId}, ${escapeKeyText(range.prefix)})`);
    const [rows, rules] = await Promise.all([
      this.db
        .select()
        .from(overlays)
        .where(and(...conditions)),
      this.rules<R>(scope),
    ]);
    if (rows.length === 0 && rules.length === 0) return { items: fresh, hidden: 0, confirmed: [], expired: [] };

    const now = this.now();
    const marks = rows.map((r) => toOverlay<T>(r));
    let verified: Set<string> | undefined;
    if (options.verify) {
      const listed = new Set(fresh.map(options.idOf));
      const needRead = marks.filter(
        (m) =>
          m.intent === "update" &&
          m.status !== "error" &&
          m.expected?.valueDigest &&
          (m.expiresAt <= now || now - m.updatedAt >= VERIFY_AFTER_MS) &&
          listed.has(m.resourceId),
      );
      if (needRead.length) verified = await options.verify(needRead);
    }
    const result = merge<T, R>({
      fresh,
      overlays: marks,
      rules,
      idOf: options.idOf,
      compare: options.compare,
      range,
      confirms: options.confirms,
      ruleMatches: options.ruleMatches,
      verified,
      now,
    });
    await this.settle(result);
    return result;
  }

  private async settle<T extends object>(result: MergeResult<T>) {
    if (result.confirmed.length) {
      const owned = JSON.stringify(result.confirmed.map((o) => ({ scope: o.scope, id: escapeKeyText(o.resourceId), op: o.opId })));
      await this.db.execute(sql`
        delete from overlays using jsonb_to_recordset(${owned}::jsonb) as c(scope text, id text, op text)
        where overlays.scope = c.scope and overlays.resource_id = c.id and overlays.op_id = c.op`);
    }
    if (result.expired.length) {
      const owned = JSON.stringify(
        result.expired.map((o) => ({ scope: o.scope, id: escapeKeyText(o.resourceId), op: o.opId, error: notConfirmedMessage(o) })),
      );
      await this.db.execute(sql`
        update overlays set status = 'error', error = c.error, updated_at = now()
        from jsonb_to_recordset(${owned}::jsonb) as c(scope text, id text, op text, error text)
        where overlays.scope = c.scope and overlays.resource_id = c.id and overlays.op_id = c.op and overlays.status <> 'error'`);
    }
  }
}

const MARK_CHUNK = 5_000;
/** Rows per mark insert: each row binds 16 parameters and a statement takes at most 65,535. */
const MARK_INSERT_ROWS = 2_000;
/** A value change is read back once it is this old (a listing cannot show values). */
const VERIFY_AFTER_MS = 5_000;

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
