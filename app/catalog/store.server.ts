// The namespace catalog's tables (catalogs, catalog_keys, catalog_scans): the only module with SQL
// on them, except the read-only aggregates of stats.server.ts and prefixes.server.ts. Key names and
// every string of the metadata are stored escaped (~/db/key-text), so any name fits and byte order,
// ranges and prefixes work on the stored column.
//
// A catalog's `key_count` and `bytes` (bytes of the stored names plus metadata_bytes) are kept by
// every statement that changes its keys, in that same statement (no count(*) on a page load), and
// recounted once when a listing finishes.
import { and, eq, sql, type SQL } from "drizzle-orm";
import { type Db, rowsOf } from "~/db/client.server";
import { escapeJsonStrings, escapeKeyText, unescapeJsonStrings, unescapeKeyText } from "~/db/key-text";
import { type Catalog, type CatalogScan, catalogs, catalogScans } from "~/db/schema";
import type { CatalogQuery } from "./rule-query.server";

/** The default of KVDECK_CATALOG_MAX_BYTES: 1 GiB of names and metadata per namespace. */
export const DEFAULT_CATALOG_MAX_BYTES = 1024 * 1024 * 1024;

/** A key as the catalog holds it (names and metadata unescaped). */
export interface CatalogEntry {
  name: string;
  metadata?: unknown;
  /** Absolute, epoch seconds. */
  expiration?: number;
}

/** A key written by kvdeck: its expiration as the write gave it. */
export interface OwnWrite {
  key: string;
  metadata?: unknown;
  expiration?: number;
  expirationTtl?: number;
}

/** The catalog a listing writes into would pass the cap. */
export class CatalogTooLarge extends Error {
  readonly name = "CatalogTooLarge";
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `The catalog would hold more than ${maxBytes.toLocaleString("en")} bytes of key names and metadata ` +
        `(KVDECK_CATALOG_MAX_BYTES); it holds ${bytes.toLocaleString("en")} so far. Raise the setting or remove the catalog.`,
    );
  }
}

interface Row {
  key: string;
  metadata: unknown;
  expiration: string | number | null;
}

const toEntry = (row: Row): CatalogEntry => {
  const entry: CatalogEntry = { name: unescapeKeyText(row.key) };
  if (row.metadata !== null && row.metadata !== undefined) entry.metadata = unescapeJsonStrings(row.metadata);
  if (row.expiration !== null && row.expiration !== undefined) entry.expiration = Number(row.expiration);
  return entry;
};

/** The bytes of a metadata value as serialized JSON (0 without). */
export const metadataBytes = (metadata: unknown) => (metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(metadata)));

/** Rows for jsonb_to_recordset: names and metadata escaped, sorted and without duplicates (the last wins). */
function recordset(entries: { key: string; metadata?: unknown; expiration?: number | null }[]): string {
  const byKey = new Map<string, { k: string; m: unknown; b: number; e: number | null }>();
  for (const e of entries) {
    const k = escapeKeyText(e.key);
    byKey.set(k, {
      k,
      m: e.metadata === undefined ? null : escapeJsonStrings(e.metadata),
      b: metadataBytes(e.metadata),
      e: e.expiration ?? null,
    });
  }
  // Sorted by stored bytes, so concurrent statements lock rows in one order.
  const rows = [...byKey.values()].sort((a, b) => Buffer.compare(Buffer.from(a.k), Buffer.from(b.k)));
  return JSON.stringify(rows);
}

const input = (json: string) =>
  sql`(select x.k collate "C" as key, x.m as metadata, x.b as metadata_bytes, x.e as expiration
       from jsonb_to_recordset(${json}::jsonb) as x(k text, m jsonb, b int, e bigint))`;

/**
 * The smallest string greater than every string that starts with `prefix` (code point order, which
 * is UTF-8 byte order), or null when there is none (the prefix is all U+10FFFF).
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix];
  while (points.length && points[points.length - 1] === "\u{10FFFF}") points.pop();
  if (!points.length) return null;
  let last = points.pop()!.codePointAt(0)! + 1;
  if (last === 0xd800) last = 0xe000; // no surrogates in a string
  return points.join("") + String.fromCodePoint(last);
}

/** Rows a listing adds or removes from which its end refreshes the planner's statistics. */
const ANALYZE_AFTER_CHANGED_ROWS = 50_000;

export class CatalogStore {
  constructor(
    /** The catalog's database (the overview and the prefix tree read their figures from it). */
    readonly db: Db,
    /** KVDECK_CATALOG_MAX_BYTES: a listing that would pass it stops with CatalogTooLarge. */
    public maxBytes: number = DEFAULT_CATALOG_MAX_BYTES,
  ) {}

  async get(connectionId: number, namespaceId: string): Promise<Catalog | null> {
    const [row] = await this.db
      .select()
      .from(catalogs)
      .where(and(eq(catalogs.connectionId, connectionId), eq(catalogs.namespaceId, namespaceId)));
    return row ?? null;
  }

  async byId(id: number): Promise<Catalog | null> {
    const [row] = await this.db.select().from(catalogs).where(eq(catalogs.id, id));
    return row ?? null;
  }

  /** The catalogs of a connection's namespaces, by namespace id. */
  async forConnection(connectionId: number): Promise<Map<string, Catalog>> {
    const rows = await this.db.select().from(catalogs).where(eq(catalogs.connectionId, connectionId));
    return new Map(rows.map((row) => [row.namespaceId, row]));
  }

  /** The namespace's catalog, created (empty, `building`) if it has none. */
  async ensure(connectionId: number, namespaceId: string): Promise<Catalog> {
    await this.db.insert(catalogs).values({ connectionId, namespaceId }).onConflictDoNothing();
    return (await this.get(connectionId, namespaceId))!;
  }

  /**
   * Starts a listing for `jobId`: the next scan number, unless this job's listing is already under
   * way (a resumed job keeps its number). Null when the catalog is gone.
   */
  async beginScan(catalogId: number, jobId: string): Promise<Catalog | null> {
    const [row] = await this.db
      .update(catalogs)
      .set({
        scan: sql`case when ${catalogs.scanJobId} = ${jobId} then ${catalogs.scan} else ${catalogs.scan} + 1 end`,
        scanStartedAt: sql`case when ${catalogs.scanJobId} = ${jobId} then ${catalogs.scanStartedAt} else now() end`,
        scanJobId: jobId,
        updatedAt: sql`now()`,
      })
      .where(eq(catalogs.id, catalogId))
      .returning();
    return row ?? null;
  }

  /** The listing of `jobId` stops without finishing (cancelled): the catalog keeps what it holds. */
  async abandonScan(catalogId: number, jobId: string): Promise<void> {
    await this.db
      .update(catalogs)
      .set({ scanJobId: null, updatedAt: sql`now()` })
      .where(and(eq(catalogs.id, catalogId), eq(catalogs.scanJobId, jobId)));
  }

  /**
   * A page the listing of scan `scan` read: one statement upserts its keys (stamped seen in this
   * scan, added in it when new) and moves the catalog's counts by exactly what changed. Throws
   * CatalogTooLarge past the cap (the page stays written: the catalog says how far it got); null
   * when the catalog is gone.
   */
  async upsertListed(catalogId: number, scan: number, keys: CatalogEntry[]): Promise<{ keyCount: number; bytes: number } | null> {
    const rows = await this.upsert(
      sql`(select id, ${scan}::int as scan from catalogs where id = ${catalogId})`,
      keys.map((k) => ({ key: k.name, metadata: k.metadata, expiration: k.expiration })),
    );
    if (!rows.length) return null;
    const counts = { keyCount: Number(rows[0].key_count), bytes: Number(rows[0].bytes) };
    if (counts.bytes > this.maxBytes) throw new CatalogTooLarge(counts.bytes, this.maxBytes);
    return counts;
  }

  /**
   * kvdeck wrote these keys (put, bulk write): the namespace's catalog, if it has one, holds them at
   * once, stamped with its current scan so a listing under way does not drop them when it finishes.
   */
  async applyWrites(connectionId: number, namespaceId: string, writes: OwnWrite[], nowSeconds = Math.floor(Date.now() / 1000)) {
    if (!writes.length) return;
    await this.upsert(
      sql`(select id, scan from catalogs where connection_id = ${connectionId} and namespace_id = ${namespaceId})`,
      writes.map((w) => ({
        key: w.key,
        metadata: w.metadata,
        expiration: w.expiration ?? (w.expirationTtl !== undefined ? nowSeconds + w.expirationTtl : null),
      })),
    );
  }

  private upsert(catalog: SQL, entries: { key: string; metadata?: unknown; expiration?: number | null }[]) {
    // `old` reads the rows as they were before the statement (a data-modifying CTE's writes are not
    // visible to its siblings), so the bytes move by new minus old; (xmax = 0) tells an insert.
    return rowsOf<{ key_count: string | number; bytes: string | number }>(
      this.db,
      sql`
      with cat as ${catalog},
      input as ${input(recordset(entries))},
      old as (
        select k.key, octet_length(k.key) + k.metadata_bytes as bytes
        from catalog_keys k join cat on k.catalog_id = cat.id join input i on i.key = k.key),
      up as (
        insert into catalog_keys (catalog_id, key, metadata, metadata_bytes, expiration, seen_scan, added_scan, seen_at)
        select cat.id, i.key, i.metadata, i.metadata_bytes, i.expiration, cat.scan, cat.scan, now() from input i cross join cat
        order by i.key
        on conflict (catalog_id, key) do update set
          metadata = excluded.metadata, metadata_bytes = excluded.metadata_bytes, expiration = excluded.expiration,
          seen_scan = excluded.seen_scan, seen_at = excluded.seen_at
        returning key, (xmax = 0) as inserted, octet_length(key) + metadata_bytes as bytes)
      update catalogs set
        key_count = key_count + (select count(*) from up where inserted),
        bytes = bytes + coalesce((select sum(bytes) from up), 0) - coalesce((select sum(o.bytes) from old o join up u on u.key = o.key), 0),
        updated_at = now()
      where id = (select id from cat)
      returning key_count, bytes`,
    );
  }

  /**
   * kvdeck deleted these keys (delete, bulk delete): gone from the namespace's catalog, if it has
   * one. Rows are locked in key order, as the upserts lock them, so the two never deadlock.
   */
  async applyDeletes(connectionId: number, namespaceId: string, keys: string[]) {
    if (!keys.length) return;
    const names = JSON.stringify([...new Set(keys.map(escapeKeyText))]);
    await this.db.execute(sql`
      with cat as (select id from catalogs where connection_id = ${connectionId} and namespace_id = ${namespaceId}),
      locked as (
        select k.catalog_id, k.key from catalog_keys k join cat on k.catalog_id = cat.id
        where k.key in (select n collate "C" from jsonb_array_elements_text(${names}::jsonb) as t(n))
        order by k.key for update of k),
      del as (
        delete from catalog_keys k using locked l
        where k.catalog_id = l.catalog_id and k.key = l.key
        returning octet_length(k.key) + k.metadata_bytes as bytes)
      update catalogs set
        key_count = key_count - (select count(*) from del),
        bytes = bytes - coalesce((select sum(bytes) from del), 0),
        updated_at = now()
      where id = (select id from cat)`);
  }

  /**
   * The listing of `jobId` has read the whole namespace: keys it did not see (and kvdeck did not
   * write meanwhile) are gone; the scan is recorded with what appeared and vanished, the catalog is
   * `ready` as of the listing's start. Null when the catalog is gone or another listing owns it.
   */
  async finishScan(catalogId: number, jobId: string): Promise<CatalogScan | null> {
    const scan = await this.db.transaction(async (tx) => {
      const [catalog] = await tx
        .select()
        .from(catalogs)
        .where(and(eq(catalogs.id, catalogId), eq(catalogs.scanJobId, jobId)))
        .for("update");
      if (!catalog) return null;
      const [removed] = await rowsOf<{ n: string | number }>(
        tx as unknown as Db,
        sql`with del as (delete from catalog_keys where catalog_id = ${catalogId} and seen_scan < ${catalog.scan} returning 1)
            select count(*) as n from del`,
      );
      const [totals] = await rowsOf<{ keys: string | number; bytes: string | number | null; added: string | number }>(
        tx as unknown as Db,
        sql`select count(*) as keys, sum(octet_length(key) + metadata_bytes) as bytes,
                   count(*) filter (where added_scan = ${catalog.scan}) as added
            from catalog_keys where catalog_id = ${catalogId}`,
      );
      const keys = Number(totals.keys);
      const bytes = Number(totals.bytes ?? 0);
      await tx
        .update(catalogs)
        .set({ state: "ready", asOf: catalog.scanStartedAt, scanJobId: null, keyCount: keys, bytes, updatedAt: sql`now()` })
        .where(eq(catalogs.id, catalogId));
      const [scan] = await tx
        .insert(catalogScans)
        .values({
          catalogId,
          scan: catalog.scan,
          jobId,
          startedAt: catalog.scanStartedAt ?? new Date(),
          finishedAt: new Date(),
          keys,
          added: Number(totals.added),
          removed: Number(removed.n),
          bytes,
        })
        .onConflictDoNothing()
        .returning();
      return scan ?? null;
    });
    // A listing that changed many rows leaves the planner's statistics behind until autovacuum
    // gets to them: the first searches after it would be planned on the old counts.
    if (scan && scan.added + scan.removed >= ANALYZE_AFTER_CHANGED_ROWS) await this.db.execute(sql`analyze catalog_keys`);
    return scan;
  }

  /** The finished listings of a catalog, newest first. */
  async scans(catalogId: number, limit = 20): Promise<CatalogScan[]> {
    return this.db
      .select()
      .from(catalogScans)
      .where(eq(catalogScans.catalogId, catalogId))
      .orderBy(sql`${catalogScans.scan} desc`)
      .limit(limit);
  }

  /** Sets (or, with null, clears) the refresh schedule. False when there is no such catalog. */
  async setSchedule(connectionId: number, namespaceId: string, refreshEveryMs: number | null): Promise<boolean> {
    const rows = await this.db
      .update(catalogs)
      .set({ refreshEveryMs, updatedAt: sql`now()` })
      .where(and(eq(catalogs.connectionId, connectionId), eq(catalogs.namespaceId, namespaceId)))
      .returning({ id: catalogs.id });
    return rows.length > 0;
  }

  /**
   * Scheduled catalogs due for a refresh: their interval has passed since the last listing (or
   * refresh queued) began.
   */
  async dueForRefresh(): Promise<Catalog[]> {
    return this.db
      .select()
      .from(catalogs)
      .where(and(sql`${catalogs.refreshEveryMs} is not null`, sql`${DUE} <= now()`));
  }

  /**
   * Claims a due refresh of `catalog`: true for one caller, which then queues the job. The claim
   * counts as a listing begun (scan_started_at), so the catalog is no longer due: a second runner's
   * claim waits for the first one's row lock, then finds it not due. So a refresh that fails is also
   * tried again an interval later, not at every check.
   */
  async claimRefresh(catalog: Pick<Catalog, "id">): Promise<boolean> {
    const rows = await this.db
      .update(catalogs)
      .set({ scanStartedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(catalogs.id, catalog.id), sql`${DUE} <= now()`))
      .returning({ id: catalogs.id });
    return rows.length > 0;
  }

  /** Removes a namespace's catalog and its keys and scans (by cascade). The removed row, or null. */
  async remove(connectionId: number, namespaceId: string): Promise<Catalog | null> {
    const [row] = await this.db
      .delete(catalogs)
      .where(and(eq(catalogs.connectionId, connectionId), eq(catalogs.namespaceId, namespaceId)))
      .returning();
    return row ?? null;
  }

  /**
   * Up to `limit` keys of the catalog after `after` (exclusive), in key order, that pass the
   * query's SQL conditions (a superset of the rule's matches: the caller applies the rule itself).
   */
  async scanKeys(catalogId: number, query: CatalogQuery, after: string | null, limit: number): Promise<CatalogEntry[]> {
    const conditions: SQL[] = [sql`catalog_id = ${catalogId}`];
    if (after !== null) conditions.push(sql`key > ${escapeKeyText(after)}`);
    if (query.from !== undefined) conditions.push(sql`key >= ${escapeKeyText(query.from)}`);
    if (query.prefix) {
      const start = escapeKeyText(query.prefix);
      conditions.push(sql`key >= ${start}`);
      const end = prefixEnd(start);
      if (end !== null) conditions.push(sql`key < ${end}`);
    }
    for (const condition of query.metadata) {
      const alternatives: SQL[] = [];
      for (const doc of condition.containsAny ?? []) alternatives.push(sql`metadata @> ${JSON.stringify(escapeJsonStrings(doc))}::jsonb`);
      if (condition.hasAnyTopField)
        alternatives.push(
          sql`metadata ?| ${sql`array[${sql.join(
            condition.hasAnyTopField.map((f) => sql`${escapeKeyText(f)}`),
            sql`, `,
          )}]::text[]`}`,
        );
      if (alternatives.length === 0) continue;
      if (condition.orArray) alternatives.push(sql`jsonb_typeof(metadata) = 'array'`);
      conditions.push(sql`(${sql.join(alternatives, sql` or `)})`);
    }
    if (query.expiringBefore !== undefined) conditions.push(sql`expiration is not null and expiration < ${query.expiringBefore}`);
    if (query.expiringFrom !== undefined) conditions.push(sql`expiration is not null and expiration >= ${query.expiringFrom}`);
    if (query.noExpiry) conditions.push(sql`expiration is null`);
    const rows = await rowsOf<Row>(
      this.db,
      sql`select key, metadata, expiration from catalog_keys where ${sql.join(conditions, sql` and `)} order by key limit ${limit}`,
    );
    return rows.map(toEntry);
  }

  /** Every key of a catalog in key order, a page at a time (tests, exports of the catalog). */
  async *allKeys(catalogId: number, pageSize = 5_000): AsyncGenerator<CatalogEntry[]> {
    let after: string | null = null;
    for (;;) {
      const page = await this.scanKeys(catalogId, EVERY_KEY, after, pageSize);
      if (!page.length) return;
      yield page;
      after = page[page.length - 1].name;
    }
  }
}

/** When a scheduled catalog is due: its interval after the later of its last listing's start and its creation. */
const DUE = sql`greatest(${catalogs.asOf}, ${catalogs.scanStartedAt}, ${catalogs.createdAt}) + make_interval(secs => ${catalogs.refreshEveryMs} / 1000.0)`;

const EVERY_KEY: CatalogQuery = { metadata: [] };
