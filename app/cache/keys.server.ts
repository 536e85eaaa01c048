// The resource cache applied to Workers KV keys: what confirms a key change, and a merged page.
import crypto from "node:crypto";
import type { ResourceCache } from "./resource-cache.server";
import type { PageRange } from "./merge";
import type { KeysDone, Overlay, RuleOverlay, WithMeta } from "./types";
import { compareKeys } from "~/kv/key-order";
import { filtersBeyondPrefix } from "~/kv/key-filter";
import { compileRule, type KeyRule } from "~/kv/key-rule";
import { LIST_LIMIT_MAX } from "~/kv/limits";
import { keyScope } from "./scopes";
import type { KeyInfo, KvUpstream } from "~/kv/upstream.server";

/** The upstream computes an expiry from a TTL at its own clock: allow for the difference. */
const EXPIRATION_TOLERANCE_SECONDS = 5;
/** Value read-backs per merge, at most (each is one upstream request). */
const MAX_VERIFY_READS = 20;

export type KeyRow = WithMeta<KeyInfo>;

export const digestOf = (bytes: Uint8Array | string) => crypto.createHash("sha256").update(bytes).digest("base64url");

export function keyConfirms(listed: KeyInfo, overlay: Overlay<KeyInfo>): boolean {
  const expected = overlay.expected;
  if (!expected) return true;
  if (expected.metadata !== undefined && canonical(listed.metadata ?? null) !== canonical(expected.metadata)) return false;
  if (expected.expiration !== undefined) {
    if (expected.expiration === null) return listed.expiration === undefined;
    if (listed.expiration === undefined || Math.abs(listed.expiration - expected.expiration) > EXPIRATION_TOLERANCE_SECONDS) return false;
  }
  return true;
}

const ruleCache = new WeakMap<RuleOverlay, (k: KeyInfo) => boolean>();
/** The rule matches the key; a narrowed rule (its operation stopped) only among the keys it is done with. */
export function keyMatchesRule(key: KeyInfo, rule: RuleOverlay): boolean {
  let test = ruleCache.get(rule);
  if (!test) {
    test = compileRule(rule.rule);
    ruleCache.set(rule, test);
  }
  return test(key) && (!rule.done || isDone(key.name, rule.done));
}

function isDone(name: string, done: KeysDone): boolean {
  if (done.through !== null && compareKeys(name, done.through) <= 0) return true;
  return done.ranges.some(([first, last]) => compareKeys(name, first) >= 0 && compareKeys(name, last) <= 0);
}

/** Merges the marks of a namespace over a page of keys the upstream just listed. */
export async function mergeKeys(
  cache: ResourceCache,
  upstream: KvUpstream,
  { scope, namespaceId, keys, range }: { scope: string; namespaceId: string; keys: KeyInfo[]; range: PageRange },
) {
  return cache.merge<KeyInfo>(scope, keys, {
    range,
    idOf: (k) => k.name,
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

/** Canonical JSON (sorted object keys) so equal metadata compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

export interface MergedKeyPage {
  keys: KeyRow[];
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
  },
): Promise<MergedKeyPage> {
  const matches = opts.filter && filtersBeyondPrefix(opts.filter) ? compileRule(opts.filter) : null;
  const scope = keyScope(upstream.accountId, opts.namespaceId);
  const result: MergedKeyPage = { keys: [], cursor: opts.cursor, pageEnd: opts.after, hidden: 0, scanned: 0 };
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
    result.cursor = page.cursor;
    result.pageEnd = last ?? result.pageEnd;
    if (!page.cursor || result.keys.length >= FILTER_TARGET_MATCHES) break;
  }
  return result;
}
