// restore: write a deletion's copies back from the recycle bin, all it still holds or chosen keys
// (kept in job_keys `selected`), a thousand at a time: read what the keys hold now (a key written
// again since the delete is a conflict unless overwriting), mark the batch `creating` so its rows
// are back at once, write it with one bulk write, and let the bin forget what came back. Conflicts,
// expired copies and refused writes are the job's per-key error report; their copies stay.
import { outcomeOf } from "~/audit/audit.server";
import { keyScope } from "~/cache/scopes";
import { compareKeys } from "~/kv/key-order";
import { BULK_GET_MAX_KEYS } from "~/kv/limits";
import { isNamespaceGone, namespaceGoneMessage, planRestore, restoreMarks, unrestored } from "~/recycle/restore.server";
import { nowSeconds } from "~/utils/time";
import { JobFailure } from "../context.server";
import { type RestorePayload, restorePayload } from "../payloads";
import { type BatchOutcome, keySetSource, runPipeline } from "../pipeline.server";
import { JobInputError, defineKind } from "./kind.server";

/** Keys restored per batch: ten bulk gets and one bulk write. */
const RESTORE_BATCH = 1_000;
const PAGE = 1_000;

export const restore = defineKind<RestorePayload>({
  kind: "restore",
  payload: restorePayload,
  destructive: false,
  // A bulk get per 100 keys (unless overwriting) and a bulk write per batch.
  bulkRequests: (matched, payload) => (payload.overwrite ? 0 : Math.ceil(matched / BULK_GET_MAX_KEYS)) + Math.ceil(matched / RESTORE_BATCH),

  async prepare({ deps, payload, connection, namespaceId }) {
    const deletion = await deps.recycle.deletion(payload.deletion);
    if (!deletion || deletion.connectionId !== connection.id || deletion.namespaceId !== namespaceId)
      throw new JobInputError("This deletion is no longer in the recycle bin: it was emptied or its retention ended.");
    const held = deletion.keys - deletion.restoredKeys;
    if (held === 0) throw new JobInputError("Every key of this deletion is restored already.");
    return { totalEstimate: payload.keys ? new Set(payload.keys).size : held };
  },

  toStored: (payload) => ({ ...payload, keys: undefined }),

  async persist(store, jobId, payload) {
    if (payload.keys)
      await store.keys.add(
        jobId,
        "selected",
        payload.keys.map((key) => ({ key })),
      );
  },

  async run(ctx) {
    const { store, cache, recycle } = ctx.deps;
    const namespaceId = ctx.row.namespaceId;
    const { deletion, overwrite, expired } = ctx.payload;
    const scope = keyScope(ctx.accountId, namespaceId);
    const selected = (await store.keys.count(ctx.id, "selected")) > 0;

    const restoreBatch = async (keys: string[]): Promise<BatchOutcome> => {
      // A key restored by an earlier attempt of this batch is no longer in the bin: skipped.
      const copies = await recycle.copies(deletion, { keys });
      const skipped = keys.length - copies.length;
      try {
        const plan = await planRestore(ctx.upstream, namespaceId, copies, { overwrite, expired }, nowSeconds(), (run, options) =>
          ctx.ops.request(run, options),
        );
        await restoreMarks(
          cache,
          scope,
          plan.items.map((i) => i.row),
          ctx.id,
          cache.defaultTtlMs,
        );
        // An undo marked every key at its start: the ones that stay deleted lose their mark.
        await cache.rollbackOperation(ctx.id, [...plan.conflicts, ...plan.expired]);
        const written = plan.items.length
          ? await ctx.ops.writeItems(
              ctx.upstream,
              namespaceId,
              plan.items.map((i) => i.write),
            )
          : { succeeded: 0, failed: [] };
        const failed = written.failed.map((f) => ({ key: f.key, error: `Not restored: ${f.error}` }));
        await cache.fail(
          scope,
          ctx.id,
          failed.map((f) => ({ id: f.key, error: f.error })),
        );
        const refused = new Set(failed.map((f) => f.key));
        await recycle.markRestored(
          deletion,
          plan.items.map((i) => i.row.name).filter((key) => !refused.has(key)),
        );
        return { succeeded: written.succeeded, skipped, failed: unrestored({ ...plan, failed }) };
      } catch (error) {
        if (isNamespaceGone(error)) throw new JobFailure(namespaceGoneMessage(namespaceId));
        throw error;
      }
    };

    await ctx.step("restore", (resume) =>
      runPipeline(
        ctx,
        {
          source: (start) =>
            keySetSource(
              async (after) =>
                selected
                  ? (await store.keys.page(ctx.id, "selected", after, PAGE)).map((k) => k.key)
                  : (await recycle.keys(deletion, { after, limit: PAGE })).map((k) => k.key),
              start,
            ),
          position: (key) => key,
          compare: compareKeys,
          keyOf: (key) => key,
          batch: { maxItems: RESTORE_BATCH },
          writeAhead: { position: (key) => key, replay: restoreBatch },
          process: restoreBatch,
        },
        resume,
      ),
    );
  },

  async cleanup(deps, job, end) {
    if (end === "succeeded" || end === "cancelled") await deps.store.keys.clear(job.id, "selected");
    if (end === "paused" || job.dryRun) return;
    await deps.audit({
      username: job.createdBy,
      action: "recycle.restore",
      target: `connection ${job.connectionId} / namespace ${job.namespaceId}`,
      count: job.processed,
      outcome: end === "succeeded" ? outcomeOf(job.succeeded, job.failed) : "failed",
      details: { deletion: (job.payload as RestorePayload).deletion, restored: job.succeeded, notRestored: job.failed, job: job.id },
    });
  },
});
