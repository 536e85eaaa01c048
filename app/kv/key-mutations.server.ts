// Key changes as the dashboard performs them: mark optimistically, call the upstream, and turn
// each refusal into an error on that key's mark only.
import crypto from "node:crypto";
import type { ResourceCache } from "~/cache/resource-cache.server";
import { digestOf, type KeyRow } from "~/cache/keys.server";
import { keyScope } from "~/cache/scopes";
import { metaOf } from "~/cache/types";
import { BULK_MAX_KEYS } from "./limits";
import type { PutKeyForm } from "./key-forms";
import { resolveExpiration } from "./key-forms";
import { UpstreamError } from "./errors";
import type { KvUpstream } from "./upstream.server";
import { redact } from "~/utils/redact.server";
import { nowSeconds } from "~/utils/time";

export interface KeyFailure {
  key: string;
  error: string;
}

export interface DeleteSummary {
  opId: string;
  requested: number;
  succeeded: number;
  failed: KeyFailure[];
}

interface Target {
  cache: ResourceCache;
  upstream: KvUpstream;
  namespaceId: string;
  ttlMs?: number;
}

const NOT_APPLIED = "The upstream did not delete this key (it listed it as unsuccessful); retry it.";

/** Deletes keys: one bulk request per 10,000, per-key results, only the refused ones come back. */
export async function deleteKeys({ cache, upstream, namespaceId, ttlMs }: Target, names: string[]): Promise<DeleteSummary> {
  const opId = crypto.randomUUID();
  const scope = keyScope(upstream.accountId, namespaceId);
  const unique = [...new Set(names)];
  await cache.markAsDeleting(scope, unique, { opId, ttlMs });
  const failed: KeyFailure[] = [];
  if (unique.length === 1) {
    try {
      await upstream.deleteKey(namespaceId, unique[0]);
    } catch (error) {
      failed.push({ key: unique[0], error: errorMessage(error) });
    }
  } else {
    for (let i = 0; i < unique.length; i += BULK_MAX_KEYS) {
      const batch = unique.slice(i, i + BULK_MAX_KEYS);
      try {
        const result = await upstream.bulkDelete(namespaceId, batch);
        for (const key of result.unsuccessfulKeys) failed.push({ key, error: NOT_APPLIED });
      } catch (error) {
        const message = errorMessage(error);
        for (const key of batch) failed.push({ key, error: message });
      }
    }
  }
  await cache.fail(
    scope,
    opId,
    failed.map((f) => ({ id: f.key, error: f.error })),
  );
  return { opId, requested: unique.length, succeeded: unique.length - failed.length, failed };
}

export type WriteResult = { ok: true; row: KeyRow } | { ok: false; error: string; field?: string };

/** Creates or edits one key; the row shows its new state until the upstream lists it. */
export async function writeKey({ cache, upstream, namespaceId, ttlMs }: Target, form: PutKeyForm): Promise<WriteResult> {
  const expiry = resolveExpiration(form, nowSeconds());
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
  const expiration = expiry.expiration ?? (expiry.expirationTtl ? nowSeconds() + expiry.expirationTtl : undefined);
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
  if (form.mode === "create") await cache.addAsCreating(scope, [item], { opId, ttlMs });
  else await cache.updateInPlace(scope, item, { opId, ttlMs });

  try {
    await upstream.putValue(namespaceId, form.name, form.value, { metadata: form.metadata, ...expiry });
  } catch (error) {
    await cache.revert(opId, [form.name]);
    return { ok: false, error: errorMessage(error) };
  }
  const mark = await cache.getOne<KeyRow>(scope, form.name);
  return { ok: true, row: { ...data, ...(mark && mark.opId === opId ? { _meta: metaOf(mark) } : {}) } };
}

/** What a failed change says on its key's row and in the audit log: shown to every role, so redacted. */
export function errorMessage(error: unknown): string {
  if (error instanceof UpstreamError) return redact(error.message);
  return redact(error instanceof Error ? error.message : String(error));
}
