// A catalog filled through the catalog store (app/catalog/store.server.ts), for tests of what reads
// it (stats, the prefix tree): a connection row, then one finished listing per given key list, so
// the catalog is `ready` with the last list's keys and each listing's row records what it added
// and removed.
import type { Db } from "~/db/client.server";
import { type Catalog, connections } from "~/db/schema";
import { type CatalogEntry, CatalogStore } from "~/catalog/store.server";

export async function fillCatalog(db: Db, opts: { namespaceId?: string; listings: CatalogEntry[][] }): Promise<Catalog> {
  const [connection] = await db
    .insert(connections)
    .values({ name: "catalog test", kind: "local", accountId: "test-account" })
    .returning({ id: connections.id });
  const store = new CatalogStore(db);
  const catalog = await store.ensure(connection.id, opts.namespaceId ?? "ns-test");
  for (const [i, keys] of opts.listings.entries()) {
    const jobId = `listing-${i + 1}`;
    const scan = await store.beginScan(catalog.id, jobId);
    for (let at = 0; at < keys.length; at += 1000) await store.upsertListed(catalog.id, scan!.scan, keys.slice(at, at + 1000));
    await store.finishScan(catalog.id, jobId);
  }
  return (await store.byId(catalog.id))!;
}
