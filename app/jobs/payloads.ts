// The payload of each job kind, validated by startJob and again by the runner. Shared with the
// browser so the pages can validate their forms with the same schemas (the handlers, which are
// server-only, live in app/jobs/kinds/*.server.ts).
//
// `jobForm` is the start-a-job form: one discriminated union over `kind`, built from the payload
// schemas, read from plain named fields (`rule.prefix`, `keys`, `expirationTtl`...) with Conform's
// parseWithZod, in the dialogs (app/components/jobs/) and again in the namespace's jobs action.
import { z } from "zod";
import { keyRuleSchema, type KeyRule } from "~/kv/key-rule";
import { MAX_EXPIRATION_EPOCH_SECONDS, MAX_EXPIRATION_TTL_SECONDS, storedKeyName } from "~/kv/key-forms";
import { MIN_EXPIRATION_TTL_SECONDS } from "~/kv/limits";
import { recycleChoice } from "~/recycle/settings";
import { MAX_ROW_ID } from "~/utils/row-id";
import type { JobKind } from "./types";

const namespaceId = z.string().min(1).max(64);

/** Whether a destructive job keeps a restorable copy of what it deletes; omitted: the connection's default. */
const recycle = recycleChoice.optional();

export const deleteSelectedPayload = z.object({
  /** Any number of keys; stored in job_keys, not in the job row. */
  keys: z.array(storedKeyName).min(1, "Select at least one key"),
  recycle,
});

export const purgePayload = z.object({
  rule: keyRuleSchema,
  /** Apply this plan (a purge's dry run of the same rule): delete exactly its keys, with no listing. */
  plan: z.string().uuid("A plan is named by its job id.").optional(),
  /** With `plan`: afterwards, list the rule live and delete matching keys the plan does not hold. */
  recheck: z.boolean().optional(),
  /** A plan (a dry run) made from the namespace's catalog instead of a live listing: no list request. */
  source: z.enum(["live", "catalog"]).optional(),
  recycle,
});

export const exportPayload = z.object({
  /** Omitted: the whole namespace. */
  rule: keyRuleSchema.optional(),
  format: z.enum(["ndjson", "json"]).default("ndjson"),
  values: z.boolean().default(true),
});

const collisionPolicy = z.enum(["skip", "overwrite", "fail"]);

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
  /** Apply this plan (a dry run of the same kind, rule, target and collision policy): exactly its keys, with no listing. */
  plan: z.string().uuid("A plan is named by its job id.").optional(),
  /** With `plan`: afterwards, list the rule live and handle matching keys the plan does not hold. */
  recheck: z.boolean().optional(),
});

export const movePayload = copyPayload.extend({ recycle });

/** What a restore does with a copy whose expiry has passed: report it, or restore it with no expiry or a new TTL. */
export const restoreExpired = z.union([
  z.enum(["skip", "never"]),
  z.coerce
    .number()
    .int()
    .min(MIN_EXPIRATION_TTL_SECONDS, `A new expiry is at least ${MIN_EXPIRATION_TTL_SECONDS} seconds away.`)
    .max(MAX_EXPIRATION_TTL_SECONDS),
]);

export const restorePayload = z.object({
  /** The deletion in the recycle bin (its id is the delete's opId or job id). */
  deletion: z.string().min(1).max(64),
  /** Only these keys; omitted: every key the deletion still holds. Stored in job_keys. */
  keys: z.array(storedKeyName).min(1).optional(),
  overwrite: z.boolean().default(false),
  expired: restoreExpired.default("skip"),
});

const bulkExpiryFields = z.object({
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
  /** Apply this plan (a bulk expiry's dry run of the same rule and expiry): rewrite exactly its keys, with no listing. */
  plan: z.string().uuid("A plan is named by its job id.").optional(),
  /** With `plan`: afterwards, list the rule live and rewrite matching keys the plan does not hold. */
  recheck: z.boolean().optional(),
});

function exactlyOneExpiry(p: Pick<z.infer<typeof bulkExpiryFields>, "expiration" | "expirationTtl" | "clear">, ctx: z.RefinementCtx) {
  const chosen = [p.expiration !== undefined, p.expirationTtl !== undefined, p.clear === true].filter(Boolean).length;
  if (chosen !== 1) ctx.addIssue({ code: "custom", message: "Choose exactly one of expiration, expirationTtl or clear" });
}

export const bulkExpiryPayload = bulkExpiryFields.superRefine(exactlyOneExpiry);

/** index: list the namespace into its catalog (the first run builds it, later ones refresh it). */
export const indexPayload = z.object({});

export type DeleteSelectedPayload = z.infer<typeof deleteSelectedPayload>;
export type PurgePayload = z.infer<typeof purgePayload>;
export type ExportPayload = z.infer<typeof exportPayload>;
export type ImportPayload = z.infer<typeof importPayload>;
export type CopyPayload = z.infer<typeof copyPayload>;
export type MovePayload = z.infer<typeof movePayload>;
export type RestorePayload = z.infer<typeof restorePayload>;
export type BulkExpiryPayload = z.infer<typeof bulkExpiryPayload>;
export type IndexPayload = z.infer<typeof indexPayload>;

// ---------------------------------------------------------------------------------------------
// The start-a-job form.

/** Fields every kind takes beside its payload. */
const startOptions = {
  /** A checkbox ("on"): count and sample, change nothing. */
  dryRun: z.boolean().default(false),
  /** A hint from the page (the count of a dry run or a selection): a count the database can hold, or none. */
  totalEstimate: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
};

const CHOOSE_A_FILE = "Choose a file to import.";

/** A field the kind does not take is a mistake in the page or the request: refused rather than ignored. */
const UNKNOWN_FIELDS = "The form has fields this kind of job does not take.";

/**
 * The file of an import: a non-empty File in the browser; on the server the upload handler has
 * already streamed it to disk and put its upload id in its place.
 */
const importFile = z.union([z.string().uuid(), z.custom<File>((v) => typeof File !== "undefined" && v instanceof File && v.size > 0)], {
  errorMap: () => ({ message: CHOOSE_A_FILE }),
});

const jobFormKinds = z.discriminatedUnion(
  "kind",
  [
    deleteSelectedPayload.extend({ kind: z.literal("delete-selected"), ...startOptions }).strict(UNKNOWN_FIELDS),
    // The page's rule, or every key: no rule field at all is the empty rule.
    purgePayload.extend({ kind: z.literal("purge"), rule: keyRuleSchema.default({}), ...startOptions }).strict(UNKNOWN_FIELDS),
    // A checkbox sends nothing when unchecked: on a form, no `values` field means no values.
    exportPayload.extend({ kind: z.literal("export"), values: z.boolean().default(false), ...startOptions }).strict(UNKNOWN_FIELDS),
    importPayload
      .omit({ uploadId: true })
      .extend({ kind: z.literal("import"), file: importFile, ...startOptions })
      .strict(UNKNOWN_FIELDS),
    copyPayload.extend({ kind: z.literal("copy"), ...startOptions }).strict(UNKNOWN_FIELDS),
    movePayload.extend({ kind: z.literal("move"), ...startOptions }).strict(UNKNOWN_FIELDS),
    bulkExpiryFields.extend({ kind: z.literal("bulk-expiry"), rule: keyRuleSchema.default({}), ...startOptions }).strict(UNKNOWN_FIELDS),
    indexPayload.extend({ kind: z.literal("index"), ...startOptions }).strict(UNKNOWN_FIELDS),
    restorePayload.extend({ kind: z.literal("restore"), ...startOptions }).strict(UNKNOWN_FIELDS),
  ],
  { errorMap: (issue, ctx) => ({ message: issue.code === "invalid_union_discriminator" ? "Unknown job kind." : ctx.defaultError }) },
);

export const jobForm = jobFormKinds.superRefine((value, ctx) => {
  if (value.kind === "bulk-expiry") exactlyOneExpiry(value, ctx);
});

export type JobForm = z.infer<typeof jobForm>;

// Every kind has a form, and the form has no other kind.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const everyKindHasAForm: Same<JobForm["kind"], JobKind> = true;
void everyKindHasAForm;

/** What startJob takes from a valid form: the kind, its payload and the start options. */
export function jobStartFromForm(form: JobForm): { kind: JobKind; payload: unknown; dryRun: boolean; totalEstimate?: number } {
  const { kind, dryRun, totalEstimate, ...payload } = form;
  if (form.kind !== "import") return { kind, payload, dryRun, totalEstimate };
  const { file, format, onCollision } = form;
  // On the server the upload handler has replaced the File with its upload id.
  if (typeof file !== "string") throw new TypeError("An import reached the server with its file unsaved.");
  return { kind, payload: { uploadId: file, format, onCollision }, dryRun, totalEstimate };
}

/**
 * A rule as the form fields jobForm reads back (`rule.prefix`, `rule.metadata[0].field`...): the
 * hidden inputs of the dialogs and the fields of the buttons that start a job.
 */
export function ruleFormEntries(rule: KeyRule): [string, string][] {
  const entries: [string, string][] = [];
  for (const field of ["prefix", "glob", "regex"] as const) {
    if (rule[field]) entries.push([`rule.${field}`, rule[field]]);
  }
  for (const [i, condition] of (rule.metadata ?? []).entries()) {
    entries.push([`rule.metadata[${i}].field`, condition.field], [`rule.metadata[${i}].op`, condition.op]);
    if (condition.value !== undefined) entries.push([`rule.metadata[${i}].value`, condition.value]);
  }
  if (rule.expiringBefore !== undefined) entries.push(["rule.expiringBefore", String(rule.expiringBefore)]);
  if (rule.expiringFrom !== undefined) entries.push(["rule.expiringFrom", String(rule.expiringFrom)]);
  if (rule.noExpiry) entries.push(["rule.noExpiry", "on"]);
  return entries;
}
