// bulk-expiry: set or clear the expiration of every key that matches a rule. Workers KV can only
// change an expiration by writing the key again, so each batch reads values and metadata (100
// keys a request) and writes them back with the new expiration. Keys already as asked are
// skipped. A value changed by someone between the read and the write is overwritten with the
// value read: the API offers no compare-and-set.
//
// Its dry run is a plan (decision 019): the matching keys are stored; a bulk expiry given `plan`
// rewrites exactly those (read from the plan, no listing), then with `recheck` lists the rule and
// rewrites matching keys the plan does not hold.
import { BULK_GET_MAX_KEYS, MIN_EXPIRATION_TTL_SECONDS } from "~/kv/limits";
import type { BulkWriteItem, KeyInfo } from "~/kv/upstream.server";
import { nowSeconds } from "~/utils/time";
import { type BulkExpiryPayload, bulkExpiryPayload } from "../payloads";
import { type BatchOutcome, runPipeline } from "../pipeline.server";
import type { PlanApplyResult } from "../types";
import { JobInputError, defineKind, listing } from "./kind.server";
import { claimPlan, plannedKeys, preparePlan, recheckUnplanned, recordPlanned } from "./plans.server";

const BATCH = 2_000;

export const bulkExpiry = defineKind<BulkExpiryPayload>({
  kind: "bulk-expiry",
  payload: bulkExpiryPayload,
  destructive: true,
  plans: true,
  bulkRequests: (matched) => Math.ceil(matched / BULK_GET_MAX_KEYS) + Math.ceil(matched / BATCH),

  async prepare(input) {
    const { payload } = input;
    if (payload.expiration !== undefined && payload.expiration < nowSeconds() + MIN_EXPIRATION_TTL_SECONDS) {
      throw new JobInputError(`An expiration must be at least ${MIN_EXPIRATION_TTL_SECONDS} seconds in the future.`, {
        expiration: ["Too soon"],
      });
    }
    return preparePlan(input, "bulk-expiry", "bulk expiry", {
      of: (p) => {
        const { expiration, expirationTtl, clear } = (p ?? {}) as BulkExpiryPayload;
        return { expiration, expirationTtl, clear: clear || undefined };
      },
      differ: "was made for another expiry",
    });
  },

  persist: (store, jobId, payload) => claimPlan(store, "bulk-expiry", jobId, payload.plan),

  async run(ctx) {
    const { rule, expiration, expirationTtl, clear, plan, recheck } = ctx.payload;
    const namespaceId = ctx.row.namespaceId;
    const alreadyDone = (key: { expiration?: number }) =>
      clear ? key.expiration === undefined : expiration !== undefined && key.expiration === expiration;
    /** Reads the keys' values and writes them back with the new expiry; keys gone or already as asked are skipped. */
    const rewrite = async (names: string[], skippedBefore: number): Promise<BatchOutcome> => {
      let skipped = skippedBefore;
      const values = await ctx.ops.readValues(ctx.upstream, namespaceId, names);
      skipped += names.length - values.size;
      const writes: BulkWriteItem[] = [];
      for (const [key, read] of values) {
        if (alreadyDone(read)) {
          skipped++;
          continue;
        }
        const item: BulkWriteItem = { key, value: read.value };
        if (read.base64) item.base64 = true;
        if (read.metadata !== undefined) item.metadata = read.metadata;
        if (expiration !== undefined) item.expiration = expiration;
        if (expirationTtl !== undefined) item.expirationTtl = expirationTtl;
        writes.push(item);
      }
      const written = await ctx.ops.writeItems(ctx.upstream, namespaceId, writes);
      return { succeeded: written.succeeded, skipped, failed: written.failed };
    };
    if (plan) {
      ctx.result = { plan, recheck: Boolean(recheck) } satisfies PlanApplyResult;
      await ctx.step("rewrite", (resume) =>
        runPipeline(ctx, { ...plannedKeys(ctx, plan, BATCH), process: (keys: string[]) => rewrite(keys, 0) }, resume),
      );
    }
    if (!plan || recheck) {
      await ctx.step(plan ? "recheck" : "rewrite", (resume) =>
        runPipeline(
          ctx,
          {
            ...listing(ctx, ctx.upstream, namespaceId, rule),
            batch: { maxItems: BATCH },
            // Dry run: the plan's keys.
            plan: (keys) => recordPlanned(ctx, keys),
            async process(keys: KeyInfo[]): Promise<BatchOutcome> {
              const todo = keys.filter((k) => !alreadyDone(k)).map((k) => k.name);
              const done = keys.length - todo.length;
              if (!plan) return rewrite(todo, done);
              const outcome = await recheckUnplanned(ctx, plan, todo, (unplanned) => rewrite(unplanned, 0));
              return { ...outcome, skipped: outcome.skipped + done };
            },
          },
          resume,
        ),
      );
    }
    ctx.totalEstimate = plan ? Math.max(ctx.totalEstimate ?? 0, ctx.counters.processed) : ctx.counters.matched;
  },
});
