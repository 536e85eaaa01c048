// index: list a namespace with its metadata into its catalog (app/catalog/store.server.ts). The
// first run builds the catalog, each later one refreshes it: a scan number per listing (a resumed
// job keeps its own), every listed key stamped with it, and at the end the keys no listing of this
// scan saw are removed and the scan is recorded with what appeared and vanished. The listing is the
// shared one (a page at a time under the job's budget, checkpointed, resumable, cancellable); each
// page is one upsert statement.
import { keepListingFigures } from "~/catalog/listing-figures.server";
import { CatalogTooLarge } from "~/catalog/store.server";
import type { Catalog } from "~/db/schema";
import { LIST_LIMIT_MAX } from "~/kv/limits";
import type { KeyInfo } from "~/kv/upstream.server";
import { type JobDeps, JobFailure } from "../context.server";
import { type IndexPayload, indexPayload } from "../payloads";
import { runPipeline } from "../pipeline.server";
import { UNFINISHED_STATES, type IndexResult } from "../types";
import { JobInputError, defineKind, listing } from "./kind.server";

const CATALOG_GONE = "The namespace's catalog was removed while it was being listed.";

/** An index job of the namespace that has not finished (queued, running, paused, cancelling), if any. */
async function unfinishedIndexJob(deps: Pick<JobDeps, "store">, connectionId: number, namespaceId: string) {
  const jobs = await deps.store.list({ limit: 50, state: UNFINISHED_STATES, connectionId, namespaceId, dryRun: false });
  return jobs.find((job) => job.kind === "index") ?? null;
}

export const indexKind = defineKind<IndexPayload>({
  kind: "index",
  payload: indexPayload,
  destructive: false,
  bulkRequests: () => 0,

  async prepare({ deps, connection, namespaceId, dryRun }) {
    if (dryRun) throw new JobInputError("Indexing changes nothing upstream: it has no dry run.");
    if (await unfinishedIndexJob(deps, connection.id, namespaceId)) {
      throw new JobInputError("This namespace is already being indexed: see its job.");
    }
  },

  async run(ctx) {
    const catalogs = ctx.deps.connections.catalog;
    const namespaceId = ctx.row.namespaceId;
    const catalog = await catalogs.ensure(ctx.connection.id, namespaceId);
    const begun = await catalogs.beginScan(catalog.id, ctx.id);
    if (!begun) throw new JobFailure(CATALOG_GONE);
    const scan = begun.scan;
    await ctx.step("list", (resume) =>
      runPipeline(
        ctx,
        {
          ...listing(ctx, ctx.upstream, namespaceId, undefined),
          batch: { maxItems: LIST_LIMIT_MAX },
          async process(keys: KeyInfo[]) {
            try {
              const counts = await catalogs.upsertListed(catalog.id, scan, keys);
              if (!counts) throw new JobFailure(CATALOG_GONE);
            } catch (error) {
              if (error instanceof CatalogTooLarge) throw new JobFailure(error.message);
              throw error;
            }
            return { succeeded: keys.length, skipped: 0, failed: [] };
          },
        },
        resume,
      ),
    );
    await ctx.step("finish", async () => {
      const finished = await catalogs.finishScan(catalog.id, ctx.id);
      if (!finished) throw new JobFailure(CATALOG_GONE);
      ctx.result = {
        catalogId: catalog.id,
        scan: finished.scan,
        keys: finished.keys,
        added: finished.added,
        removed: finished.removed,
        bytes: finished.bytes,
      } satisfies IndexResult;
    });
    ctx.totalEstimate = ctx.counters.matched;
    // The overview and the tree's first level, kept for the first look; a failure here costs that
    // look the full pass, never the listing.
    await ctx.step("overview", async () => {
      const listed = await catalogs.get(ctx.connection.id, namespaceId);
      if (!listed) return;
      try {
        await keepListingFigures(catalogs.db, listed);
      } catch (error) {
        ctx.deps.log(`kvdeck: the overview of catalog ${listed.id} could not be kept: ${error}`);
      }
    });
  },

  async cleanup(deps, job, end) {
    if (end !== "cancelled") return;
    const catalog = await deps.connections.catalog.get(job.connectionId, job.namespaceId);
    if (catalog) await deps.connections.catalog.abandonScan(catalog.id, job.id);
  },
});

/**
 * The runner's schedule check: queues one refresh for each scheduled catalog whose interval has
 * passed since its last listing began, unless an index job of that namespace is already
 * unfinished. Several runners may check at once: the catalog's claim (claimRefresh) lets one win.
 */
export async function queueDueRefreshes(deps: JobDeps, wake: () => void): Promise<number> {
  const catalogs = deps.connections.catalog;
  let queued = 0;
  for (const catalog of await catalogs.dueForRefresh()) {
    if (await unfinishedIndexJob(deps, catalog.connectionId, catalog.namespaceId)) continue;
    if (!(await catalogs.claimRefresh(catalog))) continue;
    await deps.store.insert(refreshJob(catalog));
    queued++;
  }
  if (queued) wake();
  return queued;
}

const refreshJob = (catalog: Catalog) => ({
  id: crypto.randomUUID(),
  kind: "index" as const,
  connectionId: catalog.connectionId,
  namespaceId: catalog.namespaceId,
  payload: {},
  dryRun: false,
  createdBy: "schedule",
  totalEstimate: catalog.keyCount || null,
});
