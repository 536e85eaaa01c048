// Namespace changes with optimistic marks in the account's namespace list.
import crypto from "node:crypto";
import type { ResourceCache } from "~/cache/resource-cache.server";
import { namespaceScope } from "~/cache/scopes";
import { errorMessage } from "~/kv/error-message.server";
import type { KvUpstream, Namespace } from "~/kv/upstream.server";

export type NamespaceResult = { ok: true; namespace: Namespace } | { ok: false; error: string };

interface Target {
  cache: ResourceCache;
  upstream: KvUpstream;
  ttlMs?: number;
}

export async function createNamespace({ cache, upstream, ttlMs }: Target, title: string): Promise<NamespaceResult> {
  const scope = namespaceScope(upstream.accountId);
  const opId = crypto.randomUUID();
  const temporaryId = `pending-${opId}`;
  await cache.addAsCreating<Namespace>(scope, [{ id: temporaryId, data: { id: temporaryId, title } }], { opId, ttlMs });
  try {
    const created = await upstream.createNamespace(title);
    await cache.replaceCreated<Namespace>(scope, temporaryId, { id: created.id, data: created }, { opId, ttlMs });
    return { ok: true, namespace: created };
  } catch (error) {
    await cache.rollbackOperation(opId);
    return { ok: false, error: errorMessage(error) };
  }
}

export async function renameNamespace({ cache, upstream, ttlMs }: Target, id: string, title: string): Promise<NamespaceResult> {
  const scope = namespaceScope(upstream.accountId);
  const opId = crypto.randomUUID();
  await cache.updateInPlace<Namespace>(scope, { id, data: { id, title } }, { opId, ttlMs });
  try {
    await upstream.renameNamespace(id, title);
    return { ok: true, namespace: { id, title } };
  } catch (error) {
    await cache.rollbackOperation(opId);
    return { ok: false, error: errorMessage(error) };
  }
}

export async function deleteNamespace({ cache, upstream, ttlMs }: Target, namespace: Namespace): Promise<NamespaceResult> {
  const scope = namespaceScope(upstream.accountId);
  const opId = crypto.randomUUID();
  await cache.markAsDeleting(scope, [namespace.id], { opId, ttlMs });
  try {
    await upstream.deleteNamespace(namespace.id);
    return { ok: true, namespace };
  } catch (error) {
    await cache.fail(scope, opId, [{ id: namespace.id, error: errorMessage(error) }]);
    return { ok: false, error: errorMessage(error) };
  }
}
