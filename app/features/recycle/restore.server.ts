// Restoring deleted keys from their copies, inline: the undo in a delete's toast and the bin's
// restore of a few keys. The rows come back at once as `creating` marks (which a stale listing of
// the deleted key cannot confirm for the consistency delay), the copies are written with one bulk
// write, and what could not be restored is said key by key. Restores larger than one request's
// worth are jobs (app/jobs/kinds/restore.server.ts), which share planRestore and restoreMarks.
import crypto from "node:crypto";
import type { AuditInput } from "~/audit/audit.server";
import { outcomeOf } from "~/audit/audit.server";
import type { ResourceCache } from "~/cache/resource-cache.server";
import { keyScope } from "~/cache/scopes";
import { metaOf } from "~/cache/types";
import { bulkPut, type KeyFailure } from "~/kv/bulk-apply.server";
import { errorMessage } from "~/kv/error-message.server";
import { BULK_GET_MAX_KEYS } from "~/kv/limits";
import type { KvUpstream } from "~/kv/upstream.server";
import { type JobUser, startJob } from "~/jobs/api.server";
import type { JobSnapshot } from "~/jobs/types";
import { isNamespaceGone, namespaceGoneMessage, planRestore, restoreMarks, type RestoreOptions } from "~/recycle/restore.server";
import type { RecycleStore } from "~/recycle/store.server";
import { nowSeconds } from "~/utils/time";
import type { KeyRow } from "../keys/marks.server";

/** Restores of more keys than one bulk get reads are jobs, with progress, pause and cancel. */
export const MAX_INLINE_RESTORE = BULK_GET_MAX_KEYS;
export interface RestoreTarget {
  cache: ResourceCache;
  upstream: KvUpstream;
  store: RecycleStore;
  connectionId: number;
  namespaceId: string;
  ttlMs: number;
  audit?: { record: (event: AuditInput) => Promise<void>; where: string };
}

export interface RestoreSummary {
  deletion: string;
  opId: string;
  /** The restored rows, each with its `creating` mark. */
  restored: KeyRow[];
  conflicts: string[];
  expired: string[];
  failed: KeyFailure[];
}

/** A restore that cannot start or cannot reach the namespace: nothing was restored, the copies are kept. */
export class RestoreRefused extends Error {
  readonly name = "RestoreRefused";
}

/** Restores `keys` of a deletion (all it still holds when omitted; at most MAX_INLINE_RESTORE). */
export async function restoreInline(
  target: RestoreTarget,
  deletionId: string,
  keys: string[] | null,
  options: RestoreOptions,
): Promise<RestoreSummary> {
  const { cache, upstream, store, namespaceId } = target;
  const deletion = await store.deletion(deletionId);
  if (!deletion || deletion.connectionId !== target.connectionId || deletion.namespaceId !== namespaceId)
    throw new RestoreRefused("This deletion is no longer in the recycle bin: it was emptied or its retention ended.");
  const copies = await store.copies(deletionId, keys ? { keys } : { after: null, limit: MAX_INLINE_RESTORE + 1 });
  if (copies.length > MAX_INLINE_RESTORE) throw new RestoreRefused(`Restore more than ${MAX_INLINE_RESTORE} keys as a job.`);
  if (copies.length === 0) throw new RestoreRefused("These keys are restored already, or no longer in the recycle bin.");

  let plan;
  try {
    plan = await planRestore(upstream, namespaceId, copies, options, nowSeconds());
  } catch (error) {
    throw new RestoreRefused(isNamespaceGone(error) ? namespaceGoneMessage(namespaceId) : `Nothing was restored: ${errorMessage(error)}`);
  }
  const opId = crypto.randomUUID();
  const scope = keyScope(upstream.accountId, namespaceId);
  await restoreMarks(
    cache,
    scope,
    plan.items.map((i) => i.row),
    opId,
    target.ttlMs,
  );
  let gone = false;
  const outcome = plan.items.length
    ? await bulkPut(
        upstream,
        namespaceId,
        plan.items.map((i) => i.write),
        {
          retry: { attempts: 1 },
          retryRounds: 2,
          describeError: (error) => {
            if (isNamespaceGone(error)) gone = true;
            return errorMessage(error);
          },
        },
      )
    : { succeeded: 0, failed: [] };
  if (gone) {
    await cache.rollbackOperation(opId);
    throw new RestoreRefused(namespaceGoneMessage(namespaceId));
  }
  const failed = outcome.failed.map((f) => ({ key: f.key, error: `Not restored: ${f.error}` }));
  await cache.fail(
    scope,
    opId,
    failed.map((f) => ({ id: f.key, error: f.error })),
  );
  const refused = new Set(failed.map((f) => f.key));
  const restored = plan.items.filter((i) => !refused.has(i.row.name));
  await store.markRestored(
    deletionId,
    restored.map((i) => i.row.name),
  );
  const rows: KeyRow[] = [];
  for (const item of restored) {
    const mark = await cache.getOne<KeyRow>(scope, item.row.name);
    rows.push({ ...item.row, ...(mark && mark.opId === opId ? { _meta: metaOf(mark) } : {}) });
  }
  const summary: RestoreSummary = { deletion: deletionId, opId, restored: rows, conflicts: plan.conflicts, expired: plan.expired, failed };
  await target.audit?.record({
    action: "recycle.restore",
    target: target.audit.where,
    count: copies.length,
    outcome: outcomeOf(rows.length, copies.length - rows.length),
    details: {
      deletion: deletionId,
      restored: rows.length,
      conflicts: plan.conflicts.slice(0, 100),
      expired: plan.expired.slice(0, 100),
      failed: failed.slice(0, 100),
      overwrite: options.overwrite,
    },
  });
  return summary;
}

/** The undo of a delete: inline up to MAX_INLINE_RESTORE keys, else a restore job whose rows are back at once. */
export type UndoResult = { summary: RestoreSummary } | { job: JobSnapshot };

export async function undoDeletion(
  target: RestoreTarget,
  services: Parameters<typeof startJob>[0]["services"],
  user: JobUser,
  deletionId: string,
): Promise<UndoResult> {
  const deletion = await target.store.deletion(deletionId);
  const held = deletion ? deletion.keys - deletion.restoredKeys : 0;
  if (!deletion || held <= MAX_INLINE_RESTORE)
    return { summary: await restoreInline(target, deletionId, null, { overwrite: false, expired: "skip" }) };
  const job = await startJob({
    services,
    user,
    connectionId: target.connectionId,
    namespaceId: target.namespaceId,
    kind: "restore",
    payload: { deletion: deletionId },
  });
  // The job writes a thousand keys at a time; the rows come back now, each as `creating`.
  const scope = keyScope(target.upstream.accountId, target.namespaceId);
  for (let after: string | null = null; ;) {
    const page = await target.store.keys(deletionId, { after, limit: 1000 });
    if (page.length === 0) break;
    const rows = page.map((k) => ({
      name: k.key,
      ...(k.metadata !== undefined ? { metadata: k.metadata } : {}),
      ...(k.expiration !== null ? { expiration: k.expiration } : {}),
    }));
    await restoreMarks(target.cache, scope, rows, job.id, target.ttlMs);
    after = page[page.length - 1].key;
  }
  return { job };
}
