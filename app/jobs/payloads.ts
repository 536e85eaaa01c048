// The payload of each job kind, validated by startJob and again by the runner. Shared with the
// browser so the pages can validate their forms with the same schemas (the handlers, which are
// server-only, live in app/jobs/kinds/*.server.ts).
import { z } from "zod";
import { keyRuleSchema } from "~/kv/key-rule";
import { MAX_EXPIRATION_EPOCH_SECONDS, MAX_EXPIRATION_TTL_SECONDS, storedKeyName } from "~/kv/key-forms";
import { MIN_EXPIRATION_TTL_SECONDS } from "~/kv/limits";
import { MAX_ROW_ID } from "~/utils/row-id";

const namespaceId = z.string().min(1).max(64);

export const deleteSelectedPayload = z.object({
  /** Any number of keys; stored in job_keys, not in the job row. */
  keys: z.array(storedKeyName).min(1, "Select at least one key"),
});

export const purgePayload = z.object({
  rule: keyRuleSchema,
});

export const exportPayload = z.object({
  /** Omitted: the whole namespace. */
  rule: keyRuleSchema.optional(),
  format: z.enum(["ndjson", "json"]).default("ndjson"),
  values: z.boolean().default(true),
});

export const collisionPolicy = z.enum(["skip", "overwrite", "fail"]);

export const importPayload = z.object({
  /** From saveImportUpload(). */
  uploadId: z.string().uuid(),
  format: z.enum(["ndjson", "json"]),
  onCollision: collisionPolicy.default("fail"),
});

export const copyPayload = z.object({
  rule: keyRuleSchema.optional(),
  /** Omitted: the same connection as the source. */
  targetConnectionId: z.number().int().positive().max(MAX_ROW_ID, "There is no such connection.").optional(),
  targetNamespaceId: namespaceId,
  onCollision: z.enum(["skip", "overwrite"]).default("overwrite"),
});

export const movePayload = copyPayload;

export const bulkExpiryPayload = z
  .object({
    rule: keyRuleSchema,
    /** Absolute, epoch seconds. */
    expiration: z.number().int().positive().max(MAX_EXPIRATION_EPOCH_SECONDS, "Choose an expiry date before the year 10000.").optional(),
    /** Seconds from when each key is rewritten. */
    expirationTtl: z
      .number()
      .int()
      .min(MIN_EXPIRATION_TTL_SECONDS)
      .max(MAX_EXPIRATION_TTL_SECONDS, `An expiry TTL is at most ${MAX_EXPIRATION_TTL_SECONDS.toLocaleString("en")} seconds (100 years).`)
      .optional(),
    clear: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    const chosen = [p.expiration !== undefined, p.expirationTtl !== undefined, p.clear === true].filter(Boolean).length;
    if (chosen !== 1) ctx.addIssue({ code: "custom", message: "Choose exactly one of expiration, expirationTtl or clear" });
  });

export type DeleteSelectedPayload = z.infer<typeof deleteSelectedPayload>;
export type PurgePayload = z.infer<typeof purgePayload>;
export type ExportPayload = z.infer<typeof exportPayload>;
export type ImportPayload = z.infer<typeof importPayload>;
export type CopyPayload = z.infer<typeof copyPayload>;
export type BulkExpiryPayload = z.infer<typeof bulkExpiryPayload>;
export type CollisionPolicy = z.infer<typeof collisionPolicy>;
