// bulk-expiry: set or clear the expiration of every key that matches a rule. Workers KV can only
// change an expiration by writing the key again, so each batch reads values and metadata (100
// keys a request) and writes them back with the new expiration. Keys already as asked are
// skipped. A value changed by someone between the read and the write is overwritten with the
// value read: the API offers no compare-and-set.
import { BULK_GET_MAX_KEYS, MIN_EXPIRATION_TTL_SECONDS } from "~/kv/limits";
import type { BulkWriteItem, KeyInfo } from "~/kv/upstream.server";
import { nowSeconds } from "~/utils/time";
import { type BulkExpiryPayload, bulkExpiryPayload } from "../payloads";
import { type BatchOutcome, runPipeline } from "../pipeline.server";
import { JobInputError, defineKind, listing } from "./kind.server";

const BATCH = 2_000;

export const bulkExpiry = defineKind<BulkExpiryPayload>({
  kind: "bulk-expiry",
  payload: bulkExpiryPayload,
  destructive: true,
  bulkRequests: (matched) => Math.ceil(matched / BULK_GET_MAX_KEYS) + Math.ceil(matched / BATCH),

  async prepare({ payload }) {
    if (payload.expiration !== undefined && payload.expiration < nowSeconds() + MIN_EXPIRATION_TTL_SECONDS) {
      throw new JobInputError(`An expiration must be at least ${MIN_EXPIRATION_TTL_SECONDS} seconds in the future.`, {
        expiration: ["Too soon"],
      });
    }
  },

  async run(ctx) {
    const { rule, expiration, expirationTtl, clear } = ctx.payload;
    const namespaceId = ctx.row.namespaceId;
    const alreadyDone = (key: KeyInfo) =>
      clear ? key.expiration === undefined : expiration !== undefined && key.expiration === expiration;
    await ctx.step("rewrite", (resume) =>
      runPipeline(
        ctx,
        {
          ...listing(ctx, ctx.upstream, namespaceId, rule),
          batch: { maxItems: BATCH },
          async process(keys: KeyInfo[]): Promise<BatchOutcome> {
            const todo = keys.filter((k) => !alreadyDone(k)).map((k) => k.name);
            let skipped = keys.length - todo.length;
            const values = await ctx.ops.readValues(ctx.upstream, namespaceId, todo);
            skipped += todo.length - values.size;
            const writes: BulkWriteItem[] = [];
            for (const [key, read] of values) {
              const item: BulkWriteItem = { key, value: read.value };
              if (read.base64) item.base64 = true;
              if (read.metadata !== undefined) item.metadata = read.metadata;
              if (expiration !== undefined) item.expiration = expiration;
              if (expirationTtl !== undefined) item.expirationTtl = expirationTtl;
              writes.push(item);
            }
            const written = await ctx.ops.writeItems(ctx.upstream, namespaceId, writes);
            return { succeeded: written.succeeded, skipped, failed: written.failed };
          },
        },
        resume,
      ),
    );
    ctx.totalEstimate = ctx.counters.matched;
  },
});
