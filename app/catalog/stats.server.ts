// A catalog's overview figures: totals, keys by prefix at a delimiter, the expiry histogram,
// metadata fields with their top values, metadata sizes, largest prefixes, growth between
// listings. Read-only aggregate SQL on the catalog tables (their writes are
// app/catalog/store.server.ts's).
//
// Cost on a large catalog (docs/performance.md, bench/catalog-overview.ts): one aggregate pass for
// the expiry and metadata-size buckets, one grouped pass for the prefixes, and the metadata fields
// and their values from the rows that have metadata. The figures that do not depend on the clock
// are kept in the database per catalog version (app/catalog/figures.server.ts; catalogVersion: any
// change to the keys moves its updated_at), written at the end of every listing, so a look at an
// unchanged catalog, in any process, only pays for the expiry buckets, and a look after a change
// gets the kept figures, marked with their time, while they are computed again (catalogStats).
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "~/db/client.server";
import { escapeKeyText, unescapeJsonStrings, unescapeKeyText } from "~/db/key-text";
import type { Catalog } from "~/db/schema";
import { DELIMITER_CANDIDATES } from "./delimiters";
import { EXPIRY_BOUNDS, EXPIRY_BUCKETS, type ExpiryBucket } from "./expiry-buckets";
import { forgetFigures, type KeptFigures, readFigures, writeFigures } from "./figures.server";

/** Names read from each end of the catalog to detect the delimiter. */
const SAMPLE_EACH_END = 500;
/** Prefixes shown by count (the rest as "other") and by bytes. */
export const TOP_PREFIXES = 12;
export const TOP_FIELDS = 20;
export const TOP_VALUES = 10;
/** Longer metadata values are shown cut (and then are not offered as a filter). */
const VALUE_TEXT_MAX = 200;

export const METADATA_SIZE_BUCKETS = [
  { label: "none", min: 0, max: 0 },
  { label: "1–64 B", min: 1, max: 64 },
  { label: "65–256 B", min: 65, max: 256 },
  { label: "257–512 B", min: 257, max: 512 },
  { label: "513–1024 B", min: 513, max: 1024 },
] as const;

export interface PrefixShare {
  /** Unescaped, ending with the delimiter; null: the keys without the delimiter. */
  prefix: string | null;
  keys: number;
  /** Bytes of the names and metadata under it. */
  bytes: number;
}

export interface MetadataField {
  field: string;
  /** Keys whose metadata is an object with this field. */
  keys: number;
  values: { value: string; keys: number; cut: boolean }[];
}

export interface CatalogStats {
  catalogId: number;
  state: Catalog["state"];
  asOf: string | null;
  scan: number;
  totalKeys: number;
  bytes: number;
  delimiter: string;
  /** Null when the delimiter was given rather than detected. */
  detected: { sampled: number; split: number } | null;
  prefixes: {
    top: PrefixShare[];
    /** Keys and bytes in the prefixes beyond the top ones. */
    other: { prefixes: number; keys: number; bytes: number };
    /** Distinct prefixes at the delimiter (not counting the keys without it). */
    distinct: number;
  };
  largest: PrefixShare[];
  expiry: Record<ExpiryBucket, number>;
  /** Epoch seconds the expiry buckets are counted from. */
  nowSeconds: number;
  metadataSizes: { label: string; keys: number }[];
  /** Keys with metadata larger than the last bucket (the upstream allows 1024 bytes; none expected). */
  metadataOversize: number;
  keysWithMetadata: number;
  fields: MetadataField[];
  /** Distinct metadata field names (the first TOP_FIELDS are in `fields`). */
  distinctFields: number;
  growth: { scan: number; finishedAt: string; keys: number; added: number; removed: number; bytes: number }[];
  /**
   * Null when every figure is of the keys now; otherwise when the prefix, metadata and growth
   * figures were computed (the keys changed since; they are being computed again).
   */
  figuresAt: string | null;
}

/** The delimiter that splits the most of these names in two or more parts (null: none splits any). */
export function detectDelimiter(names: string[]): { delimiter: string | null; split: number } {
  let best: { delimiter: string | null; split: number } = { delimiter: null, split: 0 };
  for (const candidate of DELIMITER_CANDIDATES) {
    const split = names.filter((name) => {
      const at = name.indexOf(candidate);
      return at >= 0 && at < name.length - 1;
    }).length;
    if (split > best.split) best = { delimiter: candidate, split };
  }
  return best;
}

/**
 * What identifies a catalog's keys as they are: every change to them moves updated_at (and key_count
 * or bytes with it), so figures kept under this are the figures of the keys now.
 */
export const catalogVersion = (c: Pick<Catalog, "id" | "scan" | "keyCount" | "bytes" | "state" | "updatedAt">) =>
  [c.id, c.scan, c.keyCount, c.bytes, c.state, new Date(c.updatedAt).getTime()].join(":");

type Cached = Omit<CatalogStats, "expiry" | "nowSeconds" | "state" | "asOf" | "figuresAt">;

/** Recomputations under way in this process, by catalog and delimiter: one at a time each. */
const pending = new Map<string, Promise<KeptFigures<Cached>>>();

/**
 * The overview of a catalog. `delimiter` "auto" detects it from a sample of names (both ends of
 * the key order); `now` (ms) is what the expiry buckets count from.
 *
 * The full passes (prefixes, metadata fields) take seconds on a million keys, so a look after the
 * keys changed gets the figures last computed at once, marked with when (`figuresAt`), while they
 * are computed again behind it for the next look (stale while revalidating). The totals and the
 * expiry buckets are always of the keys now. Only a look at figures never computed (a delimiter
 * not asked for before; the index job computes "auto" as its listing ends) waits for the passes.
 */
export async function catalogStats(db: Db, catalog: Catalog, opts: { delimiter: string; now: number }): Promise<CatalogStats> {
  const nowSeconds = Math.floor(opts.now / 1000);
  const version = catalogVersion(catalog);
  let kept = await readFigures<Cached>(db, catalog.id, "overview", opts.delimiter);
  if (!kept) kept = await recompute(db, catalog, opts.delimiter);
  else if (kept.version !== version)
    recompute(db, catalog, opts.delimiter).catch((error: unknown) =>
      console.error(`kvdeck: the overview of catalog ${catalog.id} could not be computed: ${error}`),
    );
  return {
    ...kept.body,
    totalKeys: catalog.keyCount,
    bytes: catalog.bytes,
    state: catalog.state,
    asOf: catalog.asOf?.toISOString() ?? null,
    figuresAt: kept.version === version ? null : new Date(kept.computedAt).toISOString(),
    expiry: await expiryBuckets(db, catalog.id, nowSeconds, catalog.keyCount),
    nowSeconds,
  };
}

/**
 * Computes a catalog's clock-free overview figures at a delimiter and keeps them (the one
 * computation under way per catalog and delimiter in this process is shared).
 */
function recompute(db: Db, catalog: Catalog, delimiter: string): Promise<KeptFigures<Cached>> {
  const key = JSON.stringify([catalog.id, delimiter]);
  const running = pending.get(key);
  if (running) return running;
  const computing = (async () => {
    const computedAt = Date.now();
    const kept = { version: catalogVersion(catalog), body: await clockFreeStats(db, catalog, delimiter), computedAt };
    await writeFigures(db, catalog.id, "overview", delimiter, kept);
    return kept;
  })().finally(() => pending.delete(key));
  pending.set(key, computing);
  return computing;
}

/** Keeps the overview at the detected delimiter of a catalog whose listing just finished; answers that delimiter. */
export async function keepOverviewFigures(db: Db, catalog: Catalog): Promise<{ delimiter: string }> {
  const kept = await recompute(db, catalog, "auto");
  return { delimiter: kept.body.delimiter };
}

/** Waits for the recomputations under way (tests, the bench). */
export async function settleCatalogStats() {
  await Promise.allSettled(pending.values());
}

/** Forgets the kept figures (tests and the bench measure the full cost). */
export async function forgetCatalogStats(db: Db) {
  await settleCatalogStats();
  await forgetFigures(db);
}

async function clockFreeStats(db: Db, catalog: Catalog, wanted: string): Promise<Cached> {
  const id = catalog.id;
  let delimiter = wanted;
  let detected: Cached["detected"] = null;
  if (wanted === "auto") {
    const sample = await rowsOf<{ key: string }>(
      db,
      sql`(select key from catalog_keys where catalog_id = ${id} order by key limit ${SAMPLE_EACH_END})
          union (select key from catalog_keys where catalog_id = ${id} order by key desc limit ${SAMPLE_EACH_END})`,
    );
    const names = sample.map((r) => unescapeKeyText(r.key));
    const found = detectDelimiter(names);
    delimiter = found.delimiter ?? "/";
    detected = { sampled: names.length, split: found.split };
  }
  const d = escapeKeyText(delimiter);

  const [totals] = await rowsOf<Record<string, string | number>>(
    db,
    sql`select count(*) as total,
          count(*) filter (where metadata_bytes > 0) as with_metadata,
          ${sql.join(
            METADATA_SIZE_BUCKETS.map(
              (b, i) => sql`count(*) filter (where metadata_bytes between ${b.min} and ${b.max}) as ${sql.raw(`m${i}`)}`,
            ),
            sql`, `,
          )},
          count(*) filter (where metadata_bytes > 1024) as oversize
        from catalog_keys where catalog_id = ${id}`,
  );

  // One grouped pass: every prefix's keys and bytes, the top ones by keys and by bytes, and the rest summed.
  const grouped = await rowsOf<{ prefix: string | null; keys: string | number; bytes: string | number; by_keys: number; by_bytes: number }>(
    db,
    sql`with p as (
          select case when strpos(key, ${d}) > 0 then substr(key, 1, strpos(key, ${d}) + ${d.length - 1}) end as prefix,
                 count(*) as keys, sum(octet_length(key) + metadata_bytes) as bytes
          from catalog_keys where catalog_id = ${id} group by 1),
        r as (
          select *, row_number() over (order by (prefix is null), keys desc, prefix) as by_keys,
                    row_number() over (order by (prefix is null), bytes desc, prefix) as by_bytes
          from p)
        select prefix, keys, bytes, by_keys::int, by_bytes::int from r
          where by_keys <= ${TOP_PREFIXES} or by_bytes <= ${TOP_PREFIXES} or prefix is null
        union all
        select '' || count(*), coalesce(sum(keys), 0), coalesce(sum(bytes), 0), -1, -1 from r
          where by_keys > ${TOP_PREFIXES} and prefix is not null`,
  );
  const share = (r: (typeof grouped)[number]): PrefixShare => ({
    prefix: r.prefix === null ? null : unescapeKeyText(r.prefix),
    keys: Number(r.keys),
    bytes: Number(r.bytes),
  });
  const rest = grouped.find((r) => r.by_keys === -1)!;
  const named = grouped.filter((r) => r.by_keys !== -1);
  const loose = named.find((r) => r.prefix === null);
  const topByKeys = named.filter((r) => r.prefix !== null && r.by_keys <= TOP_PREFIXES).sort((a, b) => a.by_keys - b.by_keys);
  const top = [...topByKeys.map(share), ...(loose ? [share(loose)] : [])];
  const largest = named
    .filter((r) => r.prefix !== null && r.by_bytes <= TOP_PREFIXES)
    .sort((a, b) => a.by_bytes - b.by_bytes)
    .map(share);
  const distinct = topByKeys.length + Number(rest.prefix);

  const fieldRows = await rowsOf<{ field: string; keys: string | number; distinct_fields: string | number }>(
    db,
    sql`select f as field, count(*) as keys, count(*) over () as distinct_fields
        from catalog_keys, jsonb_object_keys(metadata) as f
        where catalog_id = ${id} and metadata_bytes > 0 and jsonb_typeof(metadata) = 'object'
        group by f order by count(*) desc, f limit ${TOP_FIELDS}`,
  );
  const fieldNames = fieldRows.map((r) => r.field);
  const valueRows = fieldNames.length
    ? await rowsOf<{ field: string; value: string; string: boolean; keys: string | number }>(
        db,
        sql`select field, value, string, keys from (
              select e.key as field, case when jsonb_typeof(e.value) = 'string' then e.value #>> '{}' else e.value::text end as value,
                     bool_or(jsonb_typeof(e.value) = 'string') as string,
                     count(*) as keys,
                     row_number() over (partition by e.key order by count(*) desc,
                       case when jsonb_typeof(e.value) = 'string' then e.value #>> '{}' else e.value::text end) as rank
              from catalog_keys, jsonb_each(metadata) as e
              where catalog_id = ${id} and metadata_bytes > 0 and jsonb_typeof(metadata) = 'object'
                and e.key in (${sql.join(
                  fieldNames.map((f) => sql`${f}`),
                  sql`, `,
                )})
              group by 1, 2) v
            where rank <= ${TOP_VALUES} order by field, rank`,
      )
    : [];
  const fields: MetadataField[] = fieldRows.map((r) => ({
    field: unescapeKeyText(r.field),
    keys: Number(r.keys),
    values: valueRows
      .filter((v) => v.field === r.field)
      .map((v) => {
        // Strings are stored escaped: a string value unescaped, any other JSON value read and written back.
        const text = v.string ? unescapeKeyText(v.value) : JSON.stringify(unescapeJsonStrings(JSON.parse(v.value)));
        const cut = text.length > VALUE_TEXT_MAX;
        return { value: cut ? text.slice(0, VALUE_TEXT_MAX) : text, keys: Number(v.keys), cut };
      }),
  }));

  const scans = await rowsOf<{ scan: number; finished_at: string | Date; keys: string; added: string; removed: string; bytes: string }>(
    db,
    sql`select scan, finished_at, keys, added, removed, bytes from (
          select * from catalog_scans where catalog_id = ${id} order by scan desc limit 30) s order by scan`,
  );

  return {
    catalogId: id,
    scan: catalog.scan,
    totalKeys: Number(totals.total),
    bytes: catalog.bytes,
    delimiter,
    detected,
    prefixes: {
      top,
      other: { prefixes: Number(rest.prefix), keys: Number(rest.keys), bytes: Number(rest.bytes) },
      distinct,
    },
    largest,
    metadataSizes: METADATA_SIZE_BUCKETS.map((b, i) => ({ label: b.label, keys: Number(totals[`m${i}`]) })),
    metadataOversize: Number(totals.oversize),
    keysWithMetadata: Number(totals.with_metadata),
    fields,
    distinctFields: Number(fieldRows[0]?.distinct_fields ?? 0),
    growth: scans.map((s) => ({
      scan: s.scan,
      finishedAt: new Date(s.finished_at).toISOString(),
      keys: Number(s.keys),
      added: Number(s.added),
      removed: Number(s.removed),
      bytes: Number(s.bytes),
    })),
  };
}

/** Keys per expiry bucket relative to `nowSeconds`, from the expiration index (the rest never expire). */
async function expiryBuckets(db: Db, catalogId: number, nowSeconds: number, total: number): Promise<Record<ExpiryBucket, number>> {
  const b = EXPIRY_BOUNDS;
  const [row] = await rowsOf<Record<string, string | number>>(
    db,
    sql`select count(*) filter (where expiration <= ${nowSeconds}) as expired,
          count(*) filter (where expiration > ${nowSeconds} and expiration <= ${nowSeconds + b.hour}) as hour,
          count(*) filter (where expiration > ${nowSeconds + b.hour} and expiration <= ${nowSeconds + b.day}) as day,
          count(*) filter (where expiration > ${nowSeconds + b.day} and expiration <= ${nowSeconds + b.week}) as week,
          count(*) filter (where expiration > ${nowSeconds + b.week} and expiration <= ${nowSeconds + b.month}) as month,
          count(*) filter (where expiration > ${nowSeconds + b.month}) as later,
          count(*) as expiring
        from catalog_keys where catalog_id = ${catalogId} and expiration is not null`,
  );
  const buckets = Object.fromEntries(EXPIRY_BUCKETS.map((k) => [k, Number(row[k] ?? 0)])) as Record<ExpiryBucket, number>;
  buckets.never = total - Number(row.expiring);
  return buckets;
}
