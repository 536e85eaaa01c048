// A connection's recycle bin settings, as admins set them and both server and browser read them.
import { z } from "zod";

export interface RecycleSettings {
  /** Whether a delete keeps a restorable copy unless the person skips it for that delete. */
  copyByDefault: boolean;
  /** Days a copy is kept; then it goes for good. */
  retentionDays: number;
  /** The most bytes the copies of one connection's deletes may take together. */
  capBytes: number;
}

export const MEGABYTE = 1024 * 1024;
export const MAX_RETENTION_DAYS = 365;
export const MAX_CAP_MEGABYTES = 1024 * 1024;

export const DEFAULT_RECYCLE_SETTINGS: RecycleSettings = { copyByDefault: true, retentionDays: 7, capBytes: 1024 * MEGABYTE };

/** The admin form: a checkbox, days and megabytes. */
export const recycleSettingsForm = z.object({
  copyByDefault: z.literal("on").optional(),
  retentionDays: z.coerce
    .number({ invalid_type_error: "Enter a number of days." })
    .int("Enter whole days.")
    .min(1, "Keep copies at least 1 day.")
    .max(MAX_RETENTION_DAYS, `Keep copies at most ${MAX_RETENTION_DAYS} days.`),
  capMegabytes: z.coerce
    .number({ invalid_type_error: "Enter a size in MB." })
    .int("Enter whole megabytes.")
    .min(1, "The cap is at least 1 MB.")
    .max(MAX_CAP_MEGABYTES, `The cap is at most ${MAX_CAP_MEGABYTES.toLocaleString("en")} MB.`),
});

export function settingsOfForm(form: z.infer<typeof recycleSettingsForm>): RecycleSettings {
  return { copyByDefault: form.copyByDefault === "on", retentionDays: form.retentionDays, capBytes: form.capMegabytes * MEGABYTE };
}

/** Whether a delete keeps a copy: the person's choice when the form says ("keep" or "skip"), else the default. */
export const recycleChoice = z.enum(["keep", "skip"]);
export type RecycleChoice = z.infer<typeof recycleChoice>;
