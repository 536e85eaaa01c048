// The account's namespaces as the list shows them: the upstream's listing with the cache's marks
// merged in (pending creates, renames and deletes, and the jobs running on them).
import type { ResourceCache } from "~/cache/resource-cache.server";
import { namespaceScope } from "~/cache/scopes";
import type { Overlay } from "~/cache/types";
import type { JobStore } from "~/jobs/store.server";
import { compareKeys } from "~/kv/key-order";
import type { KvUpstream, Namespace } from "~/kv/upstream.server";
import { jobOfActivity, showsActivity } from "./job-activity.server";
import type { NamespaceRow } from "./types";

export const namespaceConfirms = (listed: Namespace, overlay: Overlay<Namespace>) =>
  overlay.data === null || listed.title === overlay.data.title;

/** The account's namespaces with pending creates, renames, deletes and running jobs merged in. */
export async function loadNamespaces(services: { cache: ResourceCache; jobs: { store: Pick<JobStore, "get"> } }, upstream: KvUpstream) {
  const { cache } = services;
  const fresh = await upstream.listNamespaces();
  const merged = await cache.merge<Namespace>(namespaceScope(upstream.accountId), fresh, {
    idOf: (n) => n.id,
    compare: compareKeys,
    confirms: namespaceConfirms,
  });
  return settleJobActivity(services, merged.items);
}

/**
 * A job's mark whose job no longer runs is removed: one whose process died before clearing it, or
 * that ended where nobody mirrored it (cancelled while no runner held it). Its row shows as listed.
 */
async function settleJobActivity(
  services: { cache: ResourceCache; jobs: { store: Pick<JobStore, "get"> } },
  rows: NamespaceRow[],
): Promise<NamespaceRow[]> {
  return Promise.all(
    rows.map(async (row) => {
      const jobId = row._meta ? jobOfActivity(row._meta.opId) : null;
      if (!row._meta || jobId === null) return row;
      const job = await services.jobs.store.get(jobId);
      if (job && showsActivity(job)) return row;
      await services.cache.rollbackOperation(row._meta.opId);
      const { _meta, ...listed } = row;
      return listed;
    }),
  );
}
