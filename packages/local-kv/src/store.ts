// The local KV API's storage: namespaces and keys in Postgres, with the consistency delay
// (changes wait in local_kv_pending until they are due) and real expiry.
// SQL for the local_kv_* tables lives here and nowhere else.
import crypto from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import type { LocalKvDb } from "./database";
import { MAX_KEY_BYTES } from "./limits";
import { nowSeconds } from "./clock";

export interface StoredNamespace {
  id: string;
  title: string;
  supports_url_encoding: true;
}

export interface ListedKey {
  name: string;
  expiration?: number;
  metadata?: unknown;
}

export interface StoredValue {
  value: Buffer;
  metadata: unknown | null;
  expiration: number | null;
}

export interface WriteItem {
  key: string;
  value: Buffer;
  /** Serialized JSON, already validated. */
  metadata: string | null;
  /** Absolute, epoch seconds. */
  expiration: number | null;
}

export type NamespaceOrder = "id" | "title";

/** Cursors are opaque to clients: the last key scanned, base64url. */
export const encodeCursor = (key: string) => Buffer.from(key, "utf8").toString("base64url");
/** The key a cursor names, or null when no stored key could have produced it. */
export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const bytes = Buffer.from(cursor, "base64url");
  // No key is longer than 512 bytes, and none holds U+0000 (Postgres text cannot).
  if (bytes.byteLength > MAX_KEY_BYTES || bytes.includes(0)) return null;
  const key = bytes.toString("utf8");
  return encodeCursor(key) === cursor ? key : null;
}

/** The smallest string greater than every string starting with `prefix` (in code point order). */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // skip surrogates
    if (next <= 0x10ffff) return points.join("") + String.fromCodePoint(next);
  }
  return null;
}

export class LocalKvStore {
  // No pending state lives in this object: every process over the same database must serve the
  // same view, so the pending changes are only ever read from local_kv_pending.
  constructor(
    private readonly db: LocalKvDb,
    /** How long (ms) writes and deletes accepted by this process take to show in reads and lists. */
    public consistencyDelayMs = 0,
  ) {}

  private async rows<T>(query: SQL): Promise<T[]> {
    const result = (await this.db.execute(query)) as unknown as { rows: T[] };
    return result.rows;
  }

  // ---- namespaces ----

  async listNamespaces(
    accountId: string,
    opts: { page: number; perPage: number; order: NamespaceOrder; direction: "asc" | "desc" },
  ): Promise<{ namespaces: StoredNamespace[]; total: number }> {
    const orderColumn = opts.order === "title" ? sql`title` : sql`id`;
    const direction = opts.direction === "desc" ? sql`desc` : sql`asc`;
    const offset = (opts.page - 1) * opts.perPage;
    const rows = await this.rows<{ id: string; title: string; total: number }>(sql`
      select id, title, (count(*) over ())::float8 as total from local_kv_namespaces
      where account_id = ${accountId}
      order by ${orderColumn} ${direction}, id ${direction}
      limit ${opts.perPage} offset ${offset}`);
    let total = rows[0]?.total ?? 0;
    if (rows.length === 0 && offset > 0) {
      const [count] = await this.rows<{ n: number }>(
        sql`select count(*)::float8 as n from local_kv_namespaces where account_id = ${accountId}`,
      );
      total = count.n;
    }
    return { namespaces: rows.map((r) => toNamespace(r)), total };
  }

  async countNamespaces(accountId: string): Promise<number> {
    const [row] = await this.rows<{ n: number }>(
      sql`select count(*)::float8 as n from local_kv_namespaces where account_id = ${accountId}`,
    );
    return row.n;
  }

  async getNamespace(accountId: string, id: string): Promise<StoredNamespace | null> {
    const [row] = await this.rows<{ id: string; title: string }>(
      sql`select id, title from local_kv_namespaces where account_id = ${accountId} and id = ${id}`,
    );
    return row ? toNamespace(row) : null;
  }

  /** Creates a namespace; null when the title is taken in this account. */
  async createNamespace(accountId: string, title: string, id = newNamespaceId()): Promise<StoredNamespace | null> {
    const [row] = await this.rows<{ id: string; title: string }>(sql`
      insert into local_kv_namespaces (id, account_id, title) values (${id}, ${accountId}, ${title})
      on conflict (account_id, title) do nothing returning id, title`);
    return row ? toNamespace(row) : null;
  }

  /** Renames; "missing" when there is no such namespace, "taken" when the title is in use. */
  async renameNamespace(accountId: string, id: string, title: string): Promise<"ok" | "missing" | "taken"> {
    const [clash] = await this.rows<{ id: string }>(sql`
      select id from local_kv_namespaces where account_id = ${accountId} and title = ${title} and id <> ${id}`);
    if (clash) return "taken";
    const rows = await this.rows<{ id: string }>(sql`
      update local_kv_namespaces set title = ${title} where account_id = ${accountId} and id = ${id} returning id`);
    return rows.length ? "ok" : "missing";
  }

  async deleteNamespace(accountId: string, id: string): Promise<boolean> {
    const rows = await this.rows<{ id: string }>(
      sql`delete from local_kv_namespaces where account_id = ${accountId} and id = ${id} returning id`,
    );
    return rows.length > 0;
  }

  // ---- keys ----

  /**
   * One page of keys in byte order. Like Workers KV, a page scans `limit` stored keys and drops
   * the expired ones, so a page can be short or empty and still carry a cursor.
   */
  async listKeys(
    namespaceId: string,
    opts: { prefix?: string; after?: string; limit: number },
  ): Promise<{ keys: ListedKey[]; cursor: string }> {
    const prefix = opts.prefix ?? "";
    const upper = prefix ? prefixUpperBound(prefix) : null;
    // Compare as Postgres does (UTF-8 bytes): JS `>=` compares UTF-16 units, which ranks
    // "\uFFFD" above "😀" and would pick the wrong bound for such a cursor.
    const lower =
      opts.after !== undefined && Buffer.compare(Buffer.from(opts.after), Buffer.from(prefix)) >= 0
        ? sql`key > ${opts.after}`
        : sql`key >= ${prefix}`;
    // One JSON document instead of a row per key: PGlite's per-row cost dominates otherwise. The
    // same round trip asks whether pending changes are due; only then are they applied and the
    // page read again, so a list costs one query when nothing is pending.
    const scan = async () => {
      const [row] = await this.rows<{ page: string | null; due: boolean }>(sql`
        select (select json_agg(json_build_array(key, metadata::json, expiration)) from (
          select key, metadata, expiration from local_kv_entries
          where namespace_id = ${namespaceId} and ${lower} ${upper !== null ? sql`and key < ${upper}` : sql``}
          order by key limit ${opts.limit + 1}) as scan)::text as page,
        ${this.dueProbe(Date.now())} as due`);
      return row;
    };
    let found = await scan();
    if (found.due) {
      await this.applyDue();
      found = await scan();
    }
    const page = found.page;
    const rows = (page ? JSON.parse(page) : []) as [string, unknown, number | null][];
    const more = rows.length > opts.limit;
    const scanned = more ? rows.slice(0, opts.limit) : rows;
    const now = nowSeconds();
    const keys: ListedKey[] = [];
    for (const [name, metadata, expiration] of scanned) {
      if (expiration !== null && expiration <= now) continue;
      const item: ListedKey = { name };
      if (expiration !== null) item.expiration = expiration;
      if (metadata !== null) item.metadata = metadata;
      keys.push(item);
    }
    return { keys, cursor: more ? encodeCursor(scanned[scanned.length - 1][0]) : "" };
  }

  async get(namespaceId: string, key: string): Promise<StoredValue | null> {
    const found = await this.getMany(namespaceId, [key]);
    return found.get(key) ?? null;
  }

  /** Live (unexpired, visible) entries among `keys`. */
  async getMany(namespaceId: string, keys: string[]): Promise<Map<string, StoredValue>> {
    await this.applyDue();
    // Values travel as base64 text: PGlite parses a bytea result ~10× slower (2.2 s vs 0.24 s for
    // a 25 MiB value). Node's decoder skips the line breaks encode() puts in.
    const rows = await this.rows<{ key: string; value: string; metadata: string | null; expiration: number | null }>(sql`
      select key, encode(value, 'base64') as value, metadata, expiration::float8 as expiration from local_kv_entries
      where namespace_id = ${namespaceId}
        and key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))
        and (expiration is null or expiration > ${nowSeconds()})`);
    return new Map(
      rows.map((r) => [
        r.key,
        {
          value: Buffer.from(r.value, "base64"),
          metadata: r.metadata === null ? null : JSON.parse(r.metadata),
          expiration: r.expiration,
        },
      ]),
    );
  }

  /** Writes items (the last of duplicate keys wins); visible after the consistency delay. */
  async write(namespaceId: string, items: WriteItem[]): Promise<void> {
    if (items.length === 0) return;
    const payload = JSON.stringify(items.map((i) => ({ k: i.key, v: i.value.toString("base64"), m: i.metadata, e: i.expiration })));
    const visibleAt = await this.visibleAtOfNewChange(namespaceId);
    if (visibleAt === null) {
      await this.db.execute(sql`
        insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
        select distinct on (j->>'k') ${namespaceId}, j->>'k', decode(j->>'v', 'base64'), j->>'m', (j->>'e')::bigint
        from jsonb_array_elements(${payload}::jsonb) with ordinality as t(j, n)
        order by j->>'k', n desc
        on conflict (namespace_id, key) do update
          set value = excluded.value, metadata = excluded.metadata, expiration = excluded.expiration`);
      return;
    }
    await this.db.execute(sql`
      insert into local_kv_pending (namespace_id, key, value, metadata, expiration, visible_at)
      select ${namespaceId}, j->>'k', decode(j->>'v', 'base64'), j->>'m', (j->>'e')::bigint, ${visibleAt}
      from jsonb_array_elements(${payload}::jsonb) with ordinality as t(j, n)
      order by n`);
  }

  /** Deletes keys (missing ones are no error); visible after the consistency delay. */
  async delete(namespaceId: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const list = JSON.stringify(keys);
    const visibleAt = await this.visibleAtOfNewChange(namespaceId);
    if (visibleAt === null) {
      await this.db.execute(sql`
        delete from local_kv_entries where namespace_id = ${namespaceId}
          and key in (select jsonb_array_elements_text(${list}::jsonb))`);
      return;
    }
    await this.db.execute(sql`
      insert into local_kv_pending (namespace_id, key, value, visible_at)
      select ${namespaceId}, k, null, ${visibleAt} from jsonb_array_elements_text(${list}::jsonb) with ordinality as t(k, n)
      order by n`);
  }

  /**
   * When a change accepted now becomes visible (epoch ms), or null to apply it at once. Never
   * before a change accepted earlier in the same namespace, by any process: when the delay is
   * lowered at runtime (or set to 0) while changes are still pending, a newer write must not show
   * first and then be overwritten by an older one.
   */
  private async visibleAtOfNewChange(namespaceId: string): Promise<number | null> {
    const [row] = await this.rows<{ last: number | null }>(sql`
      select max(visible_at)::float8 as last from local_kv_pending where namespace_id = ${namespaceId}`);
    const queued = row?.last ?? null;
    if (this.consistencyDelayMs <= 0 && queued === null) return null;
    return Math.max(Date.now() + this.consistencyDelayMs, queued ?? 0);
  }

  /** Whether any pending change is due at `nowMs`: one index lookup on local_kv_pending(visible_at). */
  private dueProbe(nowMs: number): SQL {
    return sql`exists (select 1 from local_kv_pending where visible_at <= ${nowMs})`;
  }

  /**
   * Moves every due pending change (of every namespace) into the visible entries, in the order
   * the changes were accepted. Runs before each read: the probe is one index lookup on
   * local_kv_pending(visible_at), and since every read applies everything due, due rows never pile
   * up behind namespaces nobody reads. Concurrent appliers (other processes) queue on one advisory
   * lock; the second finds nothing left to apply.
   */
  async applyDue(): Promise<void> {
    const now = Date.now();
    const [probe] = await this.rows<{ due: boolean }>(sql`select ${this.dueProbe(now)} as due`);
    if (!probe?.due) return;
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('local_kv:pending'))`);
      await tx.execute(sql`
        with due as (
          delete from local_kv_pending where visible_at <= ${now}
          returning seq, namespace_id, key, value, metadata, expiration
        ), latest as (
          select distinct on (namespace_id, key) namespace_id, key, value, metadata, expiration
          from due order by namespace_id, key, seq desc
        ), removed as (
          delete from local_kv_entries e using latest l
          where e.namespace_id = l.namespace_id and e.key = l.key and l.value is null
        )
        insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
        select namespace_id, key, value, metadata, expiration from latest where value is not null
        on conflict (namespace_id, key) do update
          set value = excluded.value, metadata = excluded.metadata, expiration = excluded.expiration`);
    });
  }

  /** Removes expired entries for good (lists already skip them). Returns how many. */
  async sweepExpired(batch = 10_000): Promise<number> {
    const rows = await this.rows<{ n: number }>(sql`
      with gone as (
        delete from local_kv_entries where ctid in (
          select ctid from local_kv_entries where expiration is not null and expiration <= ${nowSeconds()} limit ${batch})
        returning 1
      ) select count(*)::float8 as n from gone`);
    return rows[0]?.n ?? 0;
  }

  /** Refreshes planner statistics. PGlite has no autovacuum: without this, a freshly filled
   * table is planned as if empty and a list page sorts instead of walking the index. */
  async analyze(): Promise<void> {
    await this.db.execute(sql`analyze local_kv_entries`);
  }

  /** Keys stored in a namespace, expired ones included until swept (for seeding and tests). */
  async countKeys(namespaceId: string): Promise<number> {
    await this.applyDue();
    const [row] = await this.rows<{ n: number }>(
      sql`select count(*)::float8 as n from local_kv_entries where namespace_id = ${namespaceId}`,
    );
    return row.n;
  }

  /** Runs raw SQL against the store's tables: only the demo seeder uses this, for speed. */
  async executeSeed(query: SQL): Promise<void> {
    await this.db.execute(query);
  }
}

function toNamespace(row: { id: string; title: string }): StoredNamespace {
  return { id: row.id, title: row.title, supports_url_encoding: true };
}

export const newNamespaceId = () => crypto.randomBytes(16).toString("hex");
