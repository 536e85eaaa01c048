// kvdeck's own writes reach the namespace catalog at once: every upstream the connection registry
// builds (app/kv/connections.server.ts build(), so the keys page, its batch changes and every job
// alike) is wrapped here. A write or delete the upstream accepted is applied to the namespace's
// catalog, if it has one (one statement that changes nothing otherwise); keys a bulk request
// reports unsuccessful are left out. Reads and listings pass through untouched, so an index job's
// own listing is what the upstream says.
import type { BulkWriteItem, KvUpstream, WriteOptions } from "~/kv/upstream.server";
import type { CatalogStore } from "./store.server";

export function withCatalog(upstream: KvUpstream, catalog: CatalogStore, connectionId: number): KvUpstream {
  const writes = (namespaceId: string, items: (WriteOptions & { key: string })[]) =>
    catalog.applyWrites(
      connectionId,
      namespaceId,
      items.map((item) => ({ key: item.key, metadata: item.metadata, expiration: item.expiration, expirationTtl: item.expirationTtl })),
    );
  const refused = (keys: string[]) => new Set(keys);
  return {
    accountId: upstream.accountId,
    listNamespaces: () => upstream.listNamespaces(),
    getNamespace: (namespaceId) => upstream.getNamespace(namespaceId),
    createNamespace: (title) => upstream.createNamespace(title),
    renameNamespace: (namespaceId, title) => upstream.renameNamespace(namespaceId, title),
    async deleteNamespace(namespaceId) {
      await upstream.deleteNamespace(namespaceId);
      await catalog.remove(connectionId, namespaceId);
    },
    listKeys: (namespaceId, options) => upstream.listKeys(namespaceId, options),
    getValue: (namespaceId, key, options) => upstream.getValue(namespaceId, key, options),
    streamValue: (namespaceId, key) => upstream.streamValue(namespaceId, key),
    getMetadata: (namespaceId, key) => upstream.getMetadata(namespaceId, key),
    bulkGet: (namespaceId, keys, options) => upstream.bulkGet(namespaceId, keys, options),
    async putValue(namespaceId, key, value, options) {
      await upstream.putValue(namespaceId, key, value, options);
      await writes(namespaceId, [{ key, ...options }]);
    },
    async deleteKey(namespaceId, key) {
      await upstream.deleteKey(namespaceId, key);
      await catalog.applyDeletes(connectionId, namespaceId, [key]);
    },
    async bulkWrite(namespaceId, items: BulkWriteItem[]) {
      const result = await upstream.bulkWrite(namespaceId, items);
      const failed = refused(result.unsuccessfulKeys);
      await writes(
        namespaceId,
        items.filter((item) => !failed.has(item.key)),
      );
      return result;
    },
    async bulkDelete(namespaceId, keys) {
      const result = await upstream.bulkDelete(namespaceId, keys);
      const failed = refused(result.unsuccessfulKeys);
      await catalog.applyDeletes(
        connectionId,
        namespaceId,
        keys.filter((key) => !failed.has(key)),
      );
      return result;
    },
  };
}
