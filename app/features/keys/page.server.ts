// A namespace's keys as the dashboard shows them: a page from the upstream with the cache's marks
// merged over it, or, with a filter beyond the prefix, as many pages as it takes to find matches.
// A namespace with a catalog answers a filter from it instead (no upstream request), with the same
// marks merged over the answer, and says so; `source=live` asks the upstream all the same.
import { CATALOG_CURSOR, searchCatalog } from "~/catalog/search.server";
import type { CatalogStore } from "~/catalog/store.server";
import type { PageRange } from "~/cache/merge";
import type { Catalog } from "~/db/schema";
import type { ResourceCache } from "~/cache/resource-cache.server";
import { keyScope } from "~/cache/scopes";
import { filtersBeyondPrefix } from "~/kv/key-filter";
import { compareKeys } from "~/kv/key-order";
import { compileRule, isEmptyRule, type KeyRule } from "~/kv/key-rule";
import { LIST_LIMIT_MAX } from "~/kv/limits";
import type { KeyInfo, KvUpstream } from "~/kv/upstream.server";
import { digestOf, keyConfirms, keyMatchesRule, type KeyRow } from "./marks.server";

/** Value read-backs per merge, at most (each is one upstream request). */
const MAX_VERIFY_READS = 20;

/** Merges the marks of a namespace over a page of keys the upstream just listed. */
export async function mergeKeys(
  cache: ResourceCache,
  upstream: KvUpstream,
  { scope, namespaceId, keys, range }: { scope: string; namespaceId: string; keys: KeyInfo[]; range: PageRange },
) {
  return cache.merge<KeyInfo, KeyRule>(scope, keys, {
    range,
    idOf: (k) => k.name,
    compare: compareKeys,
    confirms: keyConfirms,
    ruleMatches: keyMatchesRule,
    verify: async (marks) => {
      const confirmed = new Set<string>();
      await Promise.all(
        marks.slice(0, MAX_VERIFY_READS).map(async (mark) => {
          const value = await upstream.getValue(namespaceId, mark.resourceId).catch(() => null);
          if (value && digestOf(value.bytes) === mark.expected?.valueDigest) confirmed.add(mark.resourceId);
        }),
      );
      return confirmed;
    },
  });
}

/** Where an answer came from: the catalog (as of when, still being built?) or the upstream (at what cost). */
export type KeySource = { from: "catalog"; asOf: string | null; building: boolean } | { from: "live"; pages: number; catalog: boolean };

export interface MergedKeyPage {
  keys: KeyRow[];
  source: KeySource;
  cursor: string;
  /** The last key the upstream listed up to this page: the next page's lower bound. */
  pageEnd: string | null;
  hidden: number;
  /** Keys the upstream listed for this answer (more than `keys` when a filter dropped some). */
  scanned: number;
}

/** A filtered view reads on until it has this many matches... */
const FILTER_TARGET_MATCHES = 100;
/** ...or has read this many upstream pages for one answer. */
const FILTER_MAX_PAGES = 5;

/**
 * Keys from the upstream with the namespace's marks merged over them: one page, or with a filter
 * beyond the prefix, as many pages as it takes to find some matches (within a bound).
 */
export async function loadKeyPage(
  cache: ResourceCache,
  upstream: KvUpstream,
  opts: {
    accountId: string;
    namespaceId: string;
    prefix: string;
    cursor: string;
    after: string | null;
    filter?: KeyRule;
    signal?: AbortSignal;
    /** The namespace's catalog, to answer a filter from (unless `live`). */
    catalog?: { store: CatalogStore; catalog: Catalog | null; live?: boolean };
    /** Start at this key: answered from the catalog (the upstream lists from the start only); ignored without one. */
    from?: string | null;
  },
): Promise<MergedKeyPage> {
  const catalog = opts.catalog?.catalog;
  if (opts.catalog && catalog && fromCatalog(opts)) return loadCatalogPage(cache, upstream, opts.catalog.store, catalog, opts);
  const matches = opts.filter && filtersBeyondPrefix(opts.filter) ? compileRule(opts.filter) : null;
  const scope = keyScope(upstream.accountId, opts.namespaceId);
  const cursor = opts.cursor.startsWith(CATALOG_CURSOR) ? "" : opts.cursor;
  const source: KeySource = { from: "live", pages: 0, catalog: Boolean(catalog) };
  const result: MergedKeyPage = { keys: [], source, cursor, pageEnd: cursor ? opts.after : null, hidden: 0, scanned: 0 };
  for (let pages = 0; pages < (matches ? FILTER_MAX_PAGES : 1); pages++) {
    const page = await upstream.listKeys(opts.namespaceId, {
      prefix: opts.prefix,
      cursor: result.cursor,
      limit: LIST_LIMIT_MAX,
      signal: opts.signal,
    });
    const last = page.keys.length ? page.keys[page.keys.length - 1].name : null;
    const range: PageRange = {
      prefix: opts.prefix,
      after: result.pageEnd,
      // A page that ends the listing covers everything after it; an empty page with a cursor covers nothing new.
      through: page.cursor ? (last ?? result.pageEnd ?? "") : null,
    };
    const merged = await mergeKeys(cache, upstream, { scope, namespaceId: opts.namespaceId, keys: page.keys, range });
    result.keys.push(...(matches ? merged.items.filter(matches) : merged.items));
    result.hidden += merged.hidden;
    result.scanned += page.keys.length;
    source.pages++;
    result.cursor = page.cursor;
    result.pageEnd = last ?? result.pageEnd;
    if (!page.cursor || result.keys.length >= FILTER_TARGET_MATCHES) break;
  }
  return result;
}

/** A filter on a namespace with a catalog, not asked for live, and not a live listing's next page. */
function fromCatalog(opts: { cursor: string; filter?: KeyRule; catalog?: { live?: boolean }; from?: string | null }): boolean {
  if (opts.catalog?.live) return false;
  if (opts.cursor.startsWith(CATALOG_CURSOR)) return true;
  if (opts.cursor === "" && opts.from) return true;
  return opts.cursor === "" && Boolean(opts.filter && !isEmptyRule(opts.filter));
}

/** One answer from the catalog, with the namespace's marks merged over it as over a listed page. */
async function loadCatalogPage(
  cache: ResourceCache,
  upstream: KvUpstream,
  store: CatalogStore,
  catalog: Catalog,
  opts: { namespaceId: string; prefix: string; cursor: string; after: string | null; filter?: KeyRule; from?: string | null },
): Promise<MergedKeyPage> {
  const rule = opts.filter ?? {};
  const after = opts.cursor.startsWith(CATALOG_CURSOR) ? opts.cursor.slice(CATALOG_CURSOR.length) : null;
  // A jump's first answer starts at its key; the next ones go on from their cursor.
  const from = after === null && opts.from ? opts.from : undefined;
  const answer = await searchCatalog(store, catalog, rule, after, { from });
  const range: PageRange = { prefix: opts.prefix, after, through: answer.done ? null : answer.last };
  const scope = keyScope(upstream.accountId, opts.namespaceId);
  const merged = await mergeKeys(cache, upstream, { scope, namespaceId: opts.namespaceId, keys: answer.keys, range });
  const ruleMatches = compileRule(rule);
  // Marks of keys created before the jump's key are not this answer's.
  const matches = from === undefined ? ruleMatches : (key: KeyInfo) => compareKeys(key.name, from) >= 0 && ruleMatches(key);
  return {
    keys: merged.items.filter(matches),
    source: { from: "catalog", asOf: catalog.asOf?.toISOString() ?? null, building: catalog.state !== "ready" },
    cursor: answer.done || answer.last === null ? "" : CATALOG_CURSOR + answer.last,
    pageEnd: answer.last,
    hidden: merged.hidden,
    scanned: answer.examined,
  };
}
