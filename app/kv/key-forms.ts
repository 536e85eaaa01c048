// One zod schema per key form, used by the browser (to explain before sending) and by the
// action (to refuse before any upstream request). Limits come from ./limits.
import { z } from "zod";
import { recycleChoice } from "~/recycle/settings";
import {
  BULK_MAX_KEYS,
  MAX_EXPIRATION_EPOCH_SECONDS,
  MAX_EXPIRATION_TTL_SECONDS,
  MAX_VALUE_BYTES,
  MIN_EXPIRATION_TTL_SECONDS,
  byteLength,
  keyNameProblem,
  metadataProblem,
  storedKeyNameProblem,
} from "./limits";

/** The most keys one delete action takes (one bulk request's worth); the page makes a larger selection a job. */
export const MAX_INLINE_DELETE = BULK_MAX_KEYS;

const nameChecked = (problemOf: (name: string) => string | null) =>
  z.string().superRefine((name, ctx) => {
    const problem = problemOf(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A name a new key may be written under (what the upstream's REST API accepts). */
const newKeyName = nameChecked(keyNameProblem);
/** The name of a key that exists: anything an upstream can list (deletes must reach every key). */
export const storedKeyName = nameChecked(storedKeyNameProblem);

export const deleteKeysSchema = z.object({
  intent: z.literal("delete"),
  names: z
    .array(storedKeyName)
    .min(1, "Select at least one key.")
    .max(MAX_INLINE_DELETE, `Select at most ${MAX_INLINE_DELETE.toLocaleString("en")} keys at once; purge larger sets by rule.`),
  /** Keep a restorable copy ("keep") or not ("skip"); omitted: the connection's default. */
  recycle: recycleChoice.optional(),
});

/** Undo a delete: restore what its copy holds. `names` are the deleted keys, for the page's rows. */
export const undoSchema = z.object({
  intent: z.literal("undo"),
  deletion: z.string().min(1).max(64),
  names: z.array(storedKeyName).max(MAX_INLINE_DELETE),
});

// The expiry bounds are the API's own (./limits); re-exported for the job payloads' forms.
export { MAX_EXPIRATION_EPOCH_SECONDS, MAX_EXPIRATION_TTL_SECONDS };

/** An optional whole number of seconds from 0 to `max`; anything else (text, 1e20, 1.5) gets `message`. */
function wholeSeconds(max: number, message: string) {
  return z.coerce.number({ invalid_type_error: message }).int(message).min(0, message).max(max, message).optional();
}

export const dismissSchema = z.object({ intent: z.literal("dismiss"), name: storedKeyName, opId: z.string().min(1) });

/** "" or JSON text of at most 1024 bytes. */
const metadataText = z
  .string()
  .max(64 * 1024)
  .transform((text, ctx) => {
    if (text.trim() === "") return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `Metadata must be JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
    const problem = metadataProblem(parsed);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    return parsed;
  });

export const putKeySchema = z
  .object({
    intent: z.literal("put"),
    mode: z.enum(["create", "edit"]),
    name: newKeyName,
    value: z.string().refine((v) => byteLength(v) <= MAX_VALUE_BYTES, `A value is at most ${MAX_VALUE_BYTES / 1024 / 1024} MiB.`),
    metadata: metadataText.optional(),
    expiry: z.enum(["none", "ttl", "at", "keep"], { errorMap: () => ({ message: "Choose whether and when the key expires." }) }),
    ttl: wholeSeconds(
      MAX_EXPIRATION_TTL_SECONDS,
      `An expiry TTL is a whole number of seconds, at most ${MAX_EXPIRATION_TTL_SECONDS.toLocaleString("en")} (100 years).`,
    ),
    /** Epoch seconds (the browser converts its local date-time input). */
    at: wholeSeconds(MAX_EXPIRATION_EPOCH_SECONDS, "Choose an expiry date before the year 10000."),
    /** For "keep": the key's current expiry, epoch seconds. */
    currentExpiration: wholeSeconds(
      MAX_EXPIRATION_EPOCH_SECONDS,
      "The key's current expiry is not a date kvdeck can keep; choose a new one.",
    ),
  })
  .superRefine((form, ctx) => {
    if (form.expiry === "ttl" && (form.ttl === undefined || form.ttl < MIN_EXPIRATION_TTL_SECONDS)) {
      ctx.addIssue({ code: "custom", path: ["ttl"], message: `An expiry TTL is at least ${MIN_EXPIRATION_TTL_SECONDS} seconds.` });
    }
    if (form.expiry === "at" && form.at === undefined)
      ctx.addIssue({ code: "custom", path: ["at"], message: "Choose when the key expires." });
    if (form.expiry === "keep" && form.mode !== "edit")
      ctx.addIssue({ code: "custom", path: ["expiry"], message: "Only an edit can keep the expiry." });
  });

export type PutKeyForm = z.infer<typeof putKeySchema>;

/** The absolute expiry a form asks for, checked against `nowSeconds`; or an error message. */
export function resolveExpiration(
  form: PutKeyForm,
  nowSeconds: number,
): { expiration?: number; expirationTtl?: number } | { error: string } {
  const earliest = nowSeconds + MIN_EXPIRATION_TTL_SECONDS;
  switch (form.expiry) {
    case "none":
      return {};
    case "ttl":
      return { expirationTtl: form.ttl! };
    case "at":
      return form.at! >= earliest
        ? { expiration: form.at! }
        : { error: `The expiry must be at least ${MIN_EXPIRATION_TTL_SECONDS} seconds from now.` };
    case "keep":
      if (form.currentExpiration === undefined) return {};
      return form.currentExpiration >= earliest
        ? { expiration: form.currentExpiration }
        : { error: "The key expires in less than a minute, so its expiry cannot be kept; choose a new one." };
  }
}

/** zod issues as { field: message }, the first message per field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    out[field] ??= issue.message;
  }
  return out;
}
