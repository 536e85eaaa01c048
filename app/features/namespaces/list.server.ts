// The account's namespaces as the list shows them: the upstream's listing with the cache's marks
// merged in (pending creates, renames and deletes, and the jobs running on them); and, for the
// list's refresh while a job runs, those jobs' marks alone, read without asking the upstream.
import type { ResourceCache } from "~/cache/resource-cache.server";
import type { CatalogStore } from "~/catalog/store.server";
import { namespaceScope } from "~/cache/scopes";
import { metaOf, type Overlay, type OverlayMeta } from "~/cache/types";
import type { JobStore } from "~/jobs/store.server";
import { compareKeys } from "~/kv/key-order";
import type { KvUpstream, Namespace } from "~/kv/upstream.server";
import { jobOfActivity, showsActivity } from "./job-activity.server";
import type { NamespaceRow } from "./types";

type ListServices = { cache: ResourceCache; jobs: { store: Pick<JobStore, "get"> } };
type CatalogServices = { connections: { catalog: Pick<CatalogStore, "forConnection"> } };

export const namespaceConfirms = (listed: Namespace, overlay: Overlay<Namespace>) =>
  overlay.data === null || listed.title === overlay.data.title;

/**
 * The account's namespaces with pending creates, renames, deletes and running jobs merged in, and,
 * given the connection, each one's catalog (key count and age; null: not indexed).
 */
export async function loadNamespaces(services: ListServices & Partial<CatalogServices>, upstream: KvUpstream, connectionId?: number) {
  const { cache } = services;
  const [fresh, catalogs] = await Promise.all([
    upstream.listNamespaces(),
    connectionId !== undefined && services.connections ? services.connections.catalog.forConnection(connectionId) : null,
  ]);
  const merged = await cache.merge<Namespace>(namespaceScope(upstream.accountId), fresh, {
    idOf: (n) => n.id,
    compare: compareKeys,
    confirms: namespaceConfirms,
  });
  const rows = await settleJobActivity(services, merged.items);
  if (!catalogs) return rows;
  return rows.map((row): NamespaceRow => {
    const catalog = catalogs.get(row.id);
    return {
      ...row,
      catalog: catalog ? { keyCount: catalog.keyCount, asOf: catalog.asOf?.toISOString() ?? null, state: catalog.state } : null,
    };
  });
}

/** Whether the job a mark stands for still runs (a mark of no job counts as running: it is not ours to settle). */
async function jobStillShows(services: ListServices, opId: string) {
  const jobId = jobOfActivity(opId);
  if (jobId === null) return true;
  const job = await services.jobs.store.get(jobId);
  return job !== null && showsActivity(job);
}

/**
 * A job's mark whose job no longer runs is removed: one whose process died before clearing it, or
 * that ended where nobody mirrored it (cancelled while no runner held it). Its row shows as listed.
 */
async function settleJobActivity(services: ListServices, rows: NamespaceRow[]): Promise<NamespaceRow[]> {
  return Promise.all(
    rows.map(async (row) => {
      if (!row._meta || (await jobStillShows(services, row._meta.opId))) return row;
      await services.cache.rollbackOperation(row._meta.opId);
      const { _meta, ...listed } = row;
      return listed;
    }),
  );
}

/** At most this many rows per refresh (the rows of one page showing a running job). */
export const MAX_ACTIVITY_IDS = 100;

/**
 * The running jobs' marks on `ids` (namespaces the list shows as processing) as they stand now,
 * from the cache and the job store: no upstream request, so the list can refresh its progress
 * every second without spending the account's request budget. An id whose job mark is gone,
 * expired, replaced or whose job no longer runs is null: the list then reloads in full, and
 * loadNamespaces settles it.
 */
export async function loadJobActivity(
  services: ListServices,
  accountId: string,
  ids: string[],
  now = Date.now(),
): Promise<Record<string, OverlayMeta | null>> {
  const scope = namespaceScope(accountId);
  const unique = [...new Set(ids)].slice(0, MAX_ACTIVITY_IDS);
  const entries = await Promise.all(
    unique.map(async (id): Promise<[string, OverlayMeta | null]> => {
      const mark = await services.cache.getOne<Namespace>(scope, id);
      const running =
        mark !== null &&
        mark.status === "processing" &&
        mark.expiresAt > now &&
        jobOfActivity(mark.opId) !== null &&
        (await jobStillShows(services, mark.opId));
      return [id, running ? metaOf(mark) : null];
    }),
  );
  return Object.fromEntries(entries);
}
