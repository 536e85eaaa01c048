// What a restore writes: a copy goes back unless the key was written again since it was deleted
// (a conflict, kept unless the person chose to overwrite) or its expiry has passed (reported,
// unless the person gave a new expiry). "Written again" is judged by the key's current value,
// metadata and expiry, not by its existence: for about a minute after a delete the upstream may
// still return the deleted value, which equals the copy and is no conflict.
import { isDeepStrictEqual } from "node:util";
import { MIN_EXPIRATION_TTL_SECONDS } from "~/kv/limits";
import { type RequestRunner, readValues, valueBytes, writableValue } from "~/kv/read-values.server";
import type { BulkWriteItem, KeyInfo, KvUpstream } from "~/kv/upstream.server";
import type { ResourceCache } from "~/cache/resource-cache.server";
import type { KeyFailure } from "~/kv/bulk-apply.server";
import { UpstreamError } from "~/kv/errors";
import type { KeyCopy } from "./store.server";

export interface RestoreOptions {
  /** Write over keys written again since the delete. */
  overwrite: boolean;
  /** A copy whose expiry has passed: reported ("skip"), or restored with no expiry or with this TTL in seconds. */
  expired: "skip" | "never" | number;
}

export const CONFLICT =
  "Not restored: the key was written again since it was deleted. Restore it with “Overwrite keys written since” to replace it.";
export const EXPIRED = "Not restored: its expiry has passed. Restore it with a new expiry to bring it back.";

export interface RestoreItem {
  write: BulkWriteItem;
  /** The row as it will list. */
  row: KeyInfo;
}

export interface RestorePlan {
  items: RestoreItem[];
  conflicts: string[];
  expired: string[];
}

/** Sorts copies into what to write, conflicts and expired ones. Reads the keys' current state unless overwriting. */
export async function planRestore(
  upstream: Pick<KvUpstream, "bulkGet" | "getValue">,
  namespaceId: string,
  copies: KeyCopy[],
  options: RestoreOptions,
  nowSeconds: number,
  request?: RequestRunner,
): Promise<RestorePlan> {
  const plan: RestorePlan = { items: [], conflicts: [], expired: [] };
  const live: KeyCopy[] = [];
  for (const copy of copies) {
    // The upstream refuses an expiry less than a minute ahead: such a copy is as good as expired.
    if (copy.expiration !== undefined && copy.expiration < nowSeconds + MIN_EXPIRATION_TTL_SECONDS && options.expired === "skip")
      plan.expired.push(copy.key);
    else live.push(copy);
  }
  const current =
    options.overwrite || live.length === 0
      ? new Map()
      : await readValues(
          upstream,
          namespaceId,
          live.map((c) => c.key),
          request,
        );
  for (const copy of live) {
    const now = current.get(copy.key);
    if (now && !sameAsCopy(copy, { value: valueBytes(now), metadata: now.metadata, expiration: now.expiration })) {
      plan.conflicts.push(copy.key);
      continue;
    }
    plan.items.push(itemOf(copy, options, nowSeconds));
  }
  return plan;
}

function itemOf(copy: KeyCopy, options: RestoreOptions, nowSeconds: number): RestoreItem {
  const expired = copy.expiration !== undefined && copy.expiration < nowSeconds + MIN_EXPIRATION_TTL_SECONDS;
  const write: BulkWriteItem = { key: copy.key, ...writableValue(copy.value) };
  if (copy.metadata !== undefined) write.metadata = copy.metadata;
  const row: KeyInfo = { name: copy.key, ...(copy.metadata !== undefined ? { metadata: copy.metadata } : {}) };
  if (!expired && copy.expiration !== undefined) {
    write.expiration = copy.expiration;
    row.expiration = copy.expiration;
  } else if (expired && typeof options.expired === "number") {
    write.expirationTtl = options.expired;
    row.expiration = nowSeconds + options.expired;
  }
  return { write, row };
}

/** Equal value bytes and metadata, and expiries within a few seconds (the upstream rounds a TTL at its own clock). */
export function sameAsCopy(copy: KeyCopy, current: { value: Uint8Array; metadata?: unknown; expiration?: number }): boolean {
  if (!Buffer.from(copy.value).equals(Buffer.from(current.value))) return false;
  if (!isDeepStrictEqual(copy.metadata ?? null, current.metadata ?? null)) return false;
  if ((copy.expiration === undefined) !== (current.expiration === undefined)) return false;
  return copy.expiration === undefined || Math.abs(copy.expiration - current.expiration!) <= 5;
}

/** Deleted keys can stay listed (and readable) upstream for about this long. */
export const CONSISTENCY_DELAY_MS = 60_000;

export const isNamespaceGone = (error: unknown) => error instanceof UpstreamError && error.kind === "not_found";

export function namespaceGoneMessage(namespaceId: string) {
  return `The namespace ${namespaceId} no longer exists upstream: nothing was restored, and the copies stay in the recycle bin (download them as NDJSON to import them elsewhere).`;
}

/**
 * `creating` marks for the keys about to be written back. They replace the keys' `deleting` marks
 * (one mark per key), and no listing confirms them before the consistency delay has passed.
 */
export async function restoreMarks(cache: ResourceCache, scope: string, rows: KeyInfo[], opId: string, ttlMs: number) {
  const notBefore = Date.now() + Math.min(CONSISTENCY_DELAY_MS, Math.floor(ttlMs / 2));
  await cache.addAsCreating(
    scope,
    rows.map((row) => ({
      id: row.name,
      data: row,
      expected: { metadata: row.metadata ?? null, expiration: row.expiration ?? null, notBefore },
    })),
    { opId, ttlMs },
  );
}

/** Per-key reasons a restore left keys out, for a report. */
export function unrestored(summary: { conflicts: string[]; expired: string[]; failed: KeyFailure[] }): KeyFailure[] {
  return [
    ...summary.conflicts.map((key) => ({ key, error: CONFLICT })),
    ...summary.expired.map((key) => ({ key, error: EXPIRED })),
    ...summary.failed,
  ];
}
