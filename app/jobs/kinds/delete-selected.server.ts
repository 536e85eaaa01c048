// delete-selected: delete an explicit list of keys of any size. The keys wait in job_keys (in byte
// order), not in the job row; each batch is marked as deleting just before it is sent, so rows
// vanish from the dashboard as the job reaches them, and keys the upstream refused come back
// with an error badge.
import { z } from "zod";
import { keyScope } from "~/cache/scopes";
import { compareKeys } from "~/kv/key-order";
import { BULK_MAX_KEYS } from "~/kv/limits";
import { copyRequests } from "~/recycle/copy.server";
import { recycleChoice } from "~/recycle/settings";
import { keySetSource, runPipeline } from "../pipeline.server";
import { type DeleteSelectedPayload, deleteSelectedPayload } from "../payloads";
import { defineKind } from "./kind.server";
import { finishCopies, jobCopier } from "./recycle.server";

const PAGE = 1000;
const stored = z.object({ count: z.number().int().nonnegative(), recycle: recycleChoice.optional() });

export const deleteSelected = defineKind<DeleteSelectedPayload, z.infer<typeof stored>>({
  kind: "delete-selected",
  payload: deleteSelectedPayload,
  stored,
  destructive: true,
  bulkRequests: (matched, payload) => Math.ceil(matched / BULK_MAX_KEYS) + (payload.recycle === "skip" ? 0 : copyRequests(matched)),

  async prepare({ payload }) {
    return { totalEstimate: new Set(payload.keys).size };
  },

  toStored: (payload) => ({ count: new Set(payload.keys).size, ...(payload.recycle ? { recycle: payload.recycle } : {}) }),

  async persist(store, jobId, payload) {
    await store.keys.add(
      jobId,
      "selected",
      payload.keys.map((key) => ({ key })),
    );
  },

  async run(ctx) {
    const { store, cache } = ctx.deps;
    const namespaceId = ctx.row.namespaceId;
    const scope = keyScope(ctx.accountId, namespaceId);
    ctx.totalEstimate = ctx.payload.count;
    const copier = await jobCopier(ctx, "delete-selected", `${ctx.payload.count.toLocaleString("en")} selected keys`);
    const deleteBatch = async (keys: string[]) => {
      await cache.markAsDeleting(scope, keys, { opId: ctx.id });
      try {
        await copier?.copy(keys);
      } catch (error) {
        // Not copied, not deleted: the rows show again.
        await cache.rollbackOperation(ctx.id, keys);
        throw error;
      }
      const outcome = await ctx.ops.deleteKeys(ctx.upstream, namespaceId, keys);
      if (outcome.failed.length)
        await cache.fail(
          scope,
          ctx.id,
          outcome.failed.map((f) => ({ id: f.key, error: f.error })),
        );
      return { succeeded: outcome.succeeded, skipped: 0, failed: outcome.failed };
    };
    await ctx.step("delete", (resume) =>
      runPipeline(
        ctx,
        {
          source: (start) =>
            keySetSource(async (after) => (await store.keys.page(ctx.id, "selected", after, PAGE)).map((k) => k.key), start),
          position: (key) => key,
          compare: compareKeys,
          keyOf: (key) => key,
          batch: { maxItems: BULK_MAX_KEYS },
          writeAhead: { position: (key) => key, replay: (keys) => deleteBatch(keys) },
          process: (keys) => deleteBatch(keys),
        },
        resume,
      ),
    );
  },

  async cleanup(deps, job, end) {
    if (end !== "paused") await finishCopies(deps, job);
    if (end === "succeeded" || end === "cancelled") await deps.store.keys.clear(job.id, "selected");
  },
});
