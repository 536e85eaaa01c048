// Key changes as the dashboard performs them: mark optimistically, call the upstream, turn each
// refusal into an error on that key's mark only, and write the change to the audit log.
import crypto from "node:crypto";
import type { AuditInput } from "~/audit/audit.server";
import { outcomeOf } from "~/audit/audit.server";
import type { ResourceCache } from "~/cache/resource-cache.server";
import { keyScope } from "~/cache/scopes";
import { metaOf } from "~/cache/types";
import { bulkDelete, type KeyFailure } from "~/kv/bulk-apply.server";
import { errorMessage } from "~/kv/error-message.server";
import { resolveExpiration, type PutKeyForm } from "~/kv/key-forms";
import type { KvUpstream } from "~/kv/upstream.server";
import { copyBeforeDelete } from "~/recycle/copy.server";
import { RecycleBinFull, type RecycleStore } from "~/recycle/store.server";
import { nowSeconds } from "~/utils/time";
import { digestOf, type KeyRow } from "./marks.server";

export type { KeyFailure };

export interface DeleteSummary {
  opId: string;
  requested: number;
  succeeded: number;
  failed: KeyFailure[];
  /** The restorable copy kept before the delete (its id is the opId); absent when it was skipped. */
  copy?: { keys: number; bytes: number };
}

/** Where a delete's copies go, and who made it. */
export interface RecycleTarget {
  store: RecycleStore;
  connectionId: number;
  createdBy: string | null;
}

/** The copy before a delete could not be made: nothing was deleted. */
export class DeleteRefused extends Error {
  readonly name = "DeleteRefused";
}

export interface KeyTarget {
  cache: ResourceCache;
  upstream: KvUpstream;
  namespaceId: string;
  ttlMs?: number;
  /** Where the change goes in the audit log (the route: recordAudit with its context); none in tests. */
  audit?: { record: (event: AuditInput) => Promise<void>; where: string };
  /** Waits between the retry rounds of a delete (tests observe the rounds without timing). */
  sleep?: (ms: number) => Promise<void>;
  /** The recycle bin: where a delete that keeps a copy writes it. */
  recycle?: RecycleTarget;
}

/** Re-sends of the keys a bulk delete listed as unsuccessful, inline (a job tries longer). */
export const INLINE_DELETE_RETRIES = 2;
const INLINE_ROUND_BACKOFF_MS = 250;
const NOT_APPLIED = "The upstream did not delete this key (it listed it as unsuccessful); retry it.";

/**
 * Deletes keys: one bulk request per 10,000 (the HTTP client retries each), the keys the upstream
 * listed as unsuccessful re-sent twice (their rows read `retrying n/m` meanwhile), per-key results;
 * only what was refused comes back, as errors.
 */
export async function deleteKeys(target: KeyTarget, names: string[], options: { keepCopy?: boolean } = {}): Promise<DeleteSummary> {
  const { cache, upstream, namespaceId, ttlMs } = target;
  const opId = crypto.randomUUID();
  const scope = keyScope(upstream.accountId, namespaceId);
  const unique = [...new Set(names)];
  await cache.markAsDeleting(scope, unique, { opId, ttlMs });
  const copy = options.keepCopy
    ? await keepCopy(target, opId, unique).catch(async (error: unknown) => {
        await target.audit?.record({
          action: "key.delete",
          target: target.audit.where,
          count: unique.length,
          outcome: "failed",
          details: { error: errorMessage(error), opId },
        });
        throw error;
      })
    : undefined;
  let failed: KeyFailure[] = [];
  const retried = new Set<string>();
  if (unique.length === 1) {
    try {
      await upstream.deleteKey(namespaceId, unique[0]);
    } catch (error) {
      failed.push({ key: unique[0], error: errorMessage(error) });
    }
  } else {
    const outcome = await bulkDelete(upstream, namespaceId, unique, {
      retry: { attempts: 1, sleep: target.sleep },
      retryRounds: INLINE_DELETE_RETRIES,
      roundBackoffMs: (n) => INLINE_ROUND_BACKOFF_MS * n,
      describeError: errorMessage,
      notApplied: NOT_APPLIED,
      onRetry: async ({ retry, of, keys }) => {
        for (const key of keys) retried.add(key);
        await cache.updateMetadata(scope, keys, opId, { status: "retrying", retryCount: retry, maxRetries: of });
      },
    });
    failed = outcome.failed;
  }
  // Retried keys the upstream took wait for it to confirm, like the others.
  const refused = new Set(failed.map((f) => f.key));
  const applied = [...retried].filter((key) => !refused.has(key));
  if (applied.length) await cache.updateMetadata(scope, applied, opId, { status: "deleting" });
  await cache.fail(
    scope,
    opId,
    failed.map((f) => ({ id: f.key, error: f.error })),
  );
  const summary: DeleteSummary = {
    opId,
    requested: unique.length,
    succeeded: unique.length - failed.length,
    failed,
    ...(copy ? { copy } : {}),
  };
  await target.audit?.record({
    action: "key.delete",
    target: unique.length === 1 ? `${target.audit.where} / key ${unique[0]}` : target.audit.where,
    count: summary.requested,
    outcome: outcomeOf(summary.succeeded, failed.length),
    details: { succeeded: summary.succeeded, failed: failed.slice(0, 100), opId, copy: copy ? { deletion: opId, ...copy } : "skipped" },
  });
  return summary;
}

/**
 * Reads the keys and writes their copy, before anything is deleted. If the read or the write fails
 * (or the copy would pass the cap) the marks go, the rows show as they were, and DeleteRefused says why.
 */
async function keepCopy(target: KeyTarget, opId: string, keys: string[]): Promise<{ keys: number; bytes: number }> {
  const recycle = target.recycle;
  if (!recycle) throw new Error("A delete that keeps a copy needs the recycle bin.");
  const description = keys.length === 1 ? "1 key" : `${keys.length.toLocaleString("en")} selected keys`;
  try {
    await recycle.store.open({
      id: opId,
      connectionId: recycle.connectionId,
      namespaceId: target.namespaceId,
      operation: "delete",
      description,
      createdBy: recycle.createdBy,
    });
    const copied = await copyBeforeDelete(recycle.store, target.upstream, target.namespaceId, opId, keys);
    await target.audit?.record({
      action: "recycle.copy",
      target: target.audit.where,
      count: copied.copied,
      details: { deletion: opId, bytes: copied.bytes, operation: "delete" },
    });
    return { keys: copied.copied, bytes: copied.bytes };
  } catch (error) {
    await target.cache.rollbackOperation(opId);
    await recycle.store.remove(opId);
    if (error instanceof RecycleBinFull) throw new DeleteRefused(error.message);
    throw new DeleteRefused(`Nothing was deleted: the copy to restore from could not be made (${errorMessage(error)}).`);
  }
}

/** Dismisses a key's failure: its mark goes, and the row shows what the upstream lists. */
export async function dismissFailure({ cache }: Pick<KeyTarget, "cache">, opId: string, name: string): Promise<void> {
  await cache.rollbackOperation(opId, [name]);
}

export type WriteResult = { ok: true; row: KeyRow } | { ok: false; error: string; field?: string };

/** Creates or edits one key; the row shows its new state (creating, or updating) until the upstream lists it. */
export async function writeKey(target: KeyTarget, form: PutKeyForm): Promise<WriteResult> {
  const result = await write(target, form);
  await target.audit?.record({
    action: form.mode === "create" ? "key.create" : "key.update",
    target: `${target.audit.where} / key ${form.name}`,
    count: 1,
    outcome: result.ok ? "ok" : "failed",
    details: result.ok ? { expiry: form.expiry } : { error: result.error },
  });
  return result;
}

async function write({ cache, upstream, namespaceId, ttlMs }: KeyTarget, form: PutKeyForm): Promise<WriteResult> {
  const now = nowSeconds();
  const expiry = resolveExpiration(form, now);
  if ("error" in expiry) return { ok: false, error: expiry.error, field: "expiry" };
  const scope = keyScope(upstream.accountId, namespaceId);

  if (form.mode === "create") {
    let existing;
    try {
      existing = await upstream.listKeys(namespaceId, { prefix: form.name, limit: 10 });
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
    const pending = await cache.getOne(scope, form.name);
    if (existing.keys.some((k) => k.name === form.name) || (pending && pending.intent === "create" && pending.status !== "error")) {
      return { ok: false, error: "A key with this name already exists. Open it to edit it.", field: "name" };
    }
  }

  const opId = crypto.randomUUID();
  const expiration = expiry.expiration ?? (expiry.expirationTtl ? now + expiry.expirationTtl : undefined);
  const data: KeyRow = {
    name: form.name,
    ...(expiration ? { expiration } : {}),
    ...(form.metadata !== undefined ? { metadata: form.metadata } : {}),
  };
  const expected = {
    metadata: form.metadata ?? null,
    expiration: expiration ?? null,
    ...(form.mode === "edit" ? { valueDigest: digestOf(form.value) } : {}),
  };
  const item = { id: form.name, data, expected };
  // A create shows `creating`; an edit of a key that exists shows `updating` while the write is in flight.
  if (form.mode === "create") await cache.addAsCreating(scope, [item], { opId, ttlMs });
  else await cache.updateInPlace(scope, item, { opId, ttlMs });

  try {
    await upstream.putValue(namespaceId, form.name, form.value, { metadata: form.metadata, ...expiry });
  } catch (error) {
    await cache.rollbackOperation(opId, [form.name]);
    return { ok: false, error: errorMessage(error) };
  }
  const mark = await cache.getOne<KeyRow>(scope, form.name);
  return { ok: true, row: { ...data, ...(mark && mark.opId === opId ? { _meta: metaOf(mark) } : {}) } };
}
