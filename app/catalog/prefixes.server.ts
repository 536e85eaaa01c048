// The prefix tree of a catalog: the folders directly under a prefix at a delimiter, with their key
// counts, read on demand (one level per call). Read-only SQL on catalog_keys (its writes are
// app/catalog/store.server.ts's).
//
// The walk skips through the primary key's btree (catalog_id, key COLLATE "C") instead of grouping
// every key under the prefix: it asks for the first key at or after a bound, takes the folder that
// key is in, counts that folder's range with one range count, and jumps past the folder's range.
// So a level costs two index probes per folder plus the counting of the keys under it, and a
// prefix with few folders over many keys answers without reading the keys' rows one by one in
// JavaScript. Names are compared escaped (~/db/key-text keeps order and prefixes), then unescaped.
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "~/db/client.server";
import { escapeKeyText, unescapeKeyText } from "~/db/key-text";
import { readFigures, writeFigures } from "./figures.server";
import { prefixEnd } from "./store.server";

/** Folders per answer, at most; `next` continues. */
export const PREFIX_PAGE_MAX = 200;

export interface PrefixFolder {
  /** The folder's prefix (unescaped), ending with the delimiter. */
  prefix: string;
  /** Keys under it, at any depth. */
  keys: number;
}

/** Where a level's walk stands: at or (strict) after this name (unescaped). */
export interface PrefixCursor {
  from: string;
  strict: boolean;
}

export interface PrefixLevel {
  prefix: string;
  delimiter: string;
  folders: PrefixFolder[];
  /** Keys directly under the prefix (no delimiter after it) met in this answer's range. */
  loose: number;
  /** Where a further call goes on (pass as `after`), or null when the level is complete. */
  next: PrefixCursor | null;
}

/** Keys of the catalog in [from, to) (escaped bounds; `to` null: no upper bound). */
export async function countRange(db: Db, catalogId: number, from: string, to: string | null): Promise<number> {
  const upper = to === null ? sql`` : sql` and key < ${to}`;
  const [row] = await rowsOf<{ n: string | number }>(
    db,
    sql`select count(*) as n from catalog_keys where catalog_id = ${catalogId} and key >= ${from}${upper}`,
  );
  return Number(row.n);
}

/**
 * The folders directly under `prefix` at `delimiter`, in key order, up to `limit` of them, each
 * with its count; `after` (a previous answer's `next`) continues a level. With `version`, a level
 * already walked at that catalog version is answered from memory, and the first level (the root's
 * first page) from the figures kept in the database (app/catalog/figures.server.ts), which the
 * index job writes as its listing ends.
 */
export async function prefixChildren(
  db: Db,
  catalogId: number,
  opts: { prefix: string; delimiter: string; after?: PrefixCursor | null; limit?: number; version?: string },
): Promise<PrefixLevel> {
  if (opts.version === undefined) return walkLevel(db, catalogId, opts);
  // Kept per catalog version (stats.server.ts's catalogVersion: every change to the keys moves it).
  const key = JSON.stringify([opts.version, opts.prefix, opts.delimiter, opts.after ?? null, opts.limit ?? null]);
  const kept = levels.get(key);
  if (kept) return kept;
  const first = opts.prefix === "" && !opts.after && opts.limit === undefined;
  const stored = first ? await readFigures<PrefixLevel>(db, catalogId, "tree", opts.delimiter) : null;
  let level: PrefixLevel;
  if (stored?.version === opts.version) level = stored.body;
  else {
    const computedAt = Date.now();
    level = await walkLevel(db, catalogId, opts);
    if (first) await writeFigures(db, catalogId, "tree", opts.delimiter, { version: opts.version, body: level, computedAt });
  }
  levels.set(key, level);
  if (levels.size > LEVELS_KEPT) levels.delete(levels.keys().next().value!);
  return level;
}

const levels = new Map<string, PrefixLevel>();
const LEVELS_KEPT = 500;

/** Forgets the levels kept in this process's memory, as a new process would start (the bench). */
export function forgetKeptLevels() {
  levels.clear();
}

async function walkLevel(
  db: Db,
  catalogId: number,
  opts: { prefix: string; delimiter: string; after?: PrefixCursor | null; limit?: number },
): Promise<PrefixLevel> {
  const { delimiter } = opts;
  if (!delimiter) throw new Error("kvdeck: a prefix tree needs a delimiter");
  const limit = Math.min(Math.max(1, opts.limit ?? 100), PREFIX_PAGE_MAX);
  const base = escapeKeyText(opts.prefix);
  const end = base ? prefixEnd(base) : null;
  const escapedDelimiter = escapeKeyText(delimiter);
  const level: PrefixLevel = { prefix: opts.prefix, delimiter, folders: [], loose: 0, next: null };
  // After a loose key the walk goes on strictly after it (U+0000 cannot be sent as a bound).
  let from = opts.after ? escapeKeyText(opts.after.from) : base;
  let strict = opts.after?.strict ?? false;
  if (!from.startsWith(base)) throw new Error("kvdeck: the cursor is outside the prefix");
  // Loose keys are stepped over one probe each: bounded like the folders, so a level of many loose keys pages too.
  for (let probes = 0; ; probes++) {
    if (level.folders.length >= limit || probes >= limit * 4) {
      level.next = { from: unescapeKeyText(from), strict };
      break;
    }
    const upper = end === null ? sql`` : sql` and key < ${end}`;
    const [first] = await rowsOf<{ key: string }>(
      db,
      sql`select key from catalog_keys where catalog_id = ${catalogId} and ${strict ? sql`key > ${from}` : sql`key >= ${from}`}${upper}
          order by key limit 1`,
    );
    if (!first) break;
    const rest = first.key.slice(base.length);
    const at = rest.indexOf(escapedDelimiter);
    if (at < 0) {
      level.loose++;
      from = first.key;
      strict = true;
      continue;
    }
    const folder = base + rest.slice(0, at + escapedDelimiter.length);
    const folderEnd = prefixEnd(folder);
    level.folders.push({ prefix: unescapeKeyText(folder), keys: await countRange(db, catalogId, folder, folderEnd) });
    if (folderEnd === null) break;
    from = folderEnd;
    strict = false;
  }
  return level;
}
