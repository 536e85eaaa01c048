// purge: delete every key that matches a rule (prefix, glob, regex, metadata, expiry; combined).
//
// Its dry run is a plan: the exact matching keys, stored in job_keys `planned` as it lists (a
// batch at a time), with the count, a sample and what applying it costs. A purge given `plan`
// applies one: it deletes exactly the planned keys in bulk, read from the plan's key set with no
// listing, then (with `recheck`) lists the rule live and deletes the matching keys the plan does
// not hold. Starting the apply marks the plan applied, so it is applied once (docs/decisions/019-plans.md).
//
// While it runs, a rule overlay hides what it is deleting from every dashboard; after it succeeds
// the overlay lingers for the upstream's consistency delay, then expires. After it stops part-way
// (cancel, failure, pause) the overlay lingers as long, narrowed to the keys it is done with.
import { keyScope } from "~/cache/scopes";
import type { KeysDone } from "~/cache/types";
import type { Job } from "~/db/schema";
import { describeRule } from "~/kv/key-rule";
import { copyRequests } from "~/recycle/copy.server";
import { BULK_MAX_KEYS } from "~/kv/limits";
import type { PipelineCheckpoint } from "../checkpoint";
import type { JobContext } from "../context.server";
import { type BatchOutcome, type PipelineSpec, runPipeline } from "../pipeline.server";
import { type PurgePayload, purgePayload } from "../payloads";
import type { PlanApplyResult } from "../types";
import { defineKind, listing } from "./kind.server";
import { finishCopies, jobCopier } from "./recycle.server";
import { catalogListing, claimPlan, plannedKeys, preparePlan, recheckUnplanned, recordPlanned } from "./plans.server";

/** How long the overlay lives without a heartbeat (a runner that died stops hiding keys after this). */
export const PURGE_OVERLAY_TTL_MS = 120_000;
/** After success: deleted keys can stay listed upstream for about a minute. */
export const PURGE_OVERLAY_GRACE_MS = 90_000;
const OVERLAY_REFRESH_MS = 15_000;

export const purge = defineKind<PurgePayload>({
  kind: "purge",
  payload: purgePayload,
  destructive: true,
  plans: true,
  // Bulk deletes, and the copy's bulk gets unless the purge skips it.
  bulkRequests: (matched, payload) => Math.ceil(matched / BULK_MAX_KEYS) + (payload.recycle === "skip" ? 0 : copyRequests(matched)),

  prepare: (input) => preparePlan(input, "purge", "purge"),

  // In the transaction that inserts the apply: the plan is claimed, or the start is refused.
  persist: (store, jobId, payload) => claimPlan(store, "purge", jobId, payload.plan),

  async run(ctx) {
    const { rule, plan } = ctx.payload;
    const namespaceId = ctx.row.namespaceId;
    const cache = ctx.deps.cache;
    if (!ctx.dryRun) {
      // A rule left by an earlier attempt (its runner died) is replaced, not doubled.
      await cache.cancelOperation(ctx.id);
      await cache.addRule(keyScope(ctx.accountId, namespaceId), rule, {
        opId: ctx.id,
        ttlMs: PURGE_OVERLAY_TTL_MS,
        message: `Purging ${describeRule(rule)}`,
      });
      let refreshed = Date.now();
      ctx.everyTick(async () => {
        if (Date.now() - refreshed < OVERLAY_REFRESH_MS) return;
        refreshed = Date.now();
        await cache.updateRule(ctx.id, {
          extendTtlMs: PURGE_OVERLAY_TTL_MS,
          message: `Purging ${describeRule(rule)}: ${ctx.counters.succeeded} deleted`,
        });
      });
    }
    const copier = await jobCopier(ctx, "purge", `Purge ${describeRule(rule)}`);
    // The copy comes before the delete, inside the batch's write-ahead: a replay does both again.
    const deleteKeys = async (keys: string[]) => {
      await copier?.copy(keys);
      const outcome = await ctx.ops.deleteKeys(ctx.upstream, namespaceId, keys);
      return { succeeded: outcome.succeeded, skipped: 0, failed: outcome.failed };
    };
    if (plan) return applyPlan(ctx, plan, deleteKeys);
    const source =
      ctx.dryRun && ctx.payload.source === "catalog"
        ? await catalogListing(ctx, namespaceId, rule)
        : listing(ctx, ctx.upstream, namespaceId, rule);
    await ctx.step("delete", (resume) =>
      runPipeline(
        ctx,
        {
          ...source,
          // The dry run is a plan: the matching keys it lists are stored as they come.
          plan: (keys) => recordPlanned(ctx, keys),
          batch: { maxItems: BULK_MAX_KEYS },
          // Deleted keys stop being listed: a batch in flight at a crash is replayed, not re-listed.
          writeAhead: { position: (key) => key, replay: deleteKeys },
          process: (keys) => deleteKeys(keys.map((k) => k.name)),
        },
        resume,
      ),
    );
    ctx.totalEstimate = ctx.counters.matched;
  },

  // `job` is the row as last saved: its checkpoint says which keys this purge is done with.
  async cleanup(deps, job, end) {
    if (job.dryRun) return;
    if (end !== "paused") await finishCopies(deps, job);
    const done = keysDone(job);
    if (end === "succeeded" || done === "all") {
      await deps.cache.updateRule(job.id, { progress: 1, message: "Purged", extendTtlMs: PURGE_OVERLAY_GRACE_MS });
      return;
    }
    // Stopped part-way (cancelled, failed, paused): the keys it deleted may stay listed upstream for
    // the consistency delay, so the overlay keeps hiding those, and only those, for as long.
    await deps.cache.narrowRules(job.id, done, {
      ttlMs: PURGE_OVERLAY_GRACE_MS,
      message: `Purge ${end}: ${job.succeeded} deleted`,
    });
  },
});

/**
 * Applies a plan: deletes the planned keys in bulk (step "delete", so keysDone and the overlay's
 * narrowing read it as a purge's), then with `recheck` lists the rule and deletes what matches
 * and is not planned (step "recheck").
 */
async function applyPlan(ctx: JobContext<PurgePayload>, planId: string, deleteKeys: (keys: string[]) => Promise<BatchOutcome>) {
  const namespaceId = ctx.row.namespaceId;
  const recheck = Boolean(ctx.payload.recheck);
  const result = (): PlanApplyResult => ({
    plan: planId,
    recheck,
    ...(recheck ? { added: (ctx.data.added as number | undefined) ?? 0 } : {}),
  });
  ctx.result = result();
  const planned = ctx.totalEstimate ?? 0;
  await ctx.step("delete", (resume) =>
    runPipeline(
      ctx,
      {
        ...plannedKeys(ctx, planId, BULK_MAX_KEYS),
        writeAhead: { position: (key) => key, replay: deleteKeys },
        process: deleteKeys,
      } satisfies PipelineSpec<string, string>,
      resume,
    ),
  );
  if (!recheck) {
    ctx.totalEstimate = ctx.counters.processed;
    return;
  }
  // Keys the plan holds that the listing still shows (deleted, not yet consistent) are left alone.
  const deleteUnplanned = (keys: string[]) => recheckUnplanned(ctx, planId, keys, deleteKeys);
  await ctx.step("recheck", (resume) =>
    runPipeline(
      ctx,
      {
        ...listing(ctx, ctx.upstream, namespaceId, ctx.payload.rule),
        batch: { maxItems: BULK_MAX_KEYS },
        writeAhead: { position: (key) => key, replay: deleteUnplanned },
        process: (keys) => deleteUnplanned(keys.map((k) => k.name)),
      },
      resume,
    ),
  );
  ctx.totalEstimate = Math.max(planned, ctx.counters.processed);
}

/**
 * The keys a purge's last checkpoint accounts for: its delete step's finished prefix and the
 * batches finished out of order, or "all" once the step is done.
 */
export function keysDone(job: Pick<Job, "checkpoint">): KeysDone | "all" {
  const saved = job.checkpoint as { steps?: string[]; pipeline?: PipelineCheckpoint<string> | null } | null;
  if (saved?.steps?.includes("delete")) return "all";
  const pipeline = saved?.pipeline;
  if (!pipeline) return { through: null, ranges: [] };
  return { through: pipeline.after ?? null, ranges: pipeline.done ?? [] };
}
