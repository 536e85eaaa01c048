// What a plan's confirmation says beyond its count (pure, shared by every plan confirmation in
// app/components/jobs/plan-apply-dialog.tsx): the catalog listing a plan was made from, a plan older
// than the upstream's consistency window, and a catalog plan once the catalog has finished a newer
// listing (its keys are no longer what the catalog knows). See docs/decisions/019-plans.md.
import { type DryRunResult, PLAN_CONSISTENCY_MS } from "~/jobs/types";

/** The namespace's catalog as it stands: its last listing (began `asOf`, finished `finishedAt`). */
export interface CatalogListingNow {
  asOf: string;
  finishedAt: string | null;
}

/** How old a plan is, in whole minutes (at least 1) once past the consistency window, else null. */
export function planStaleMinutes(finishedAt: number, now: number): number | null {
  const age = now - finishedAt;
  return age > PLAN_CONSISTENCY_MS ? Math.max(1, Math.floor(age / 60_000)) : null;
}

/** A time as the plan confirmations write it: "2026-12-02 17:05 UTC". */
export const utcMinute = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** When the catalog a plan was made from was listed ("… UTC"), or null for a plan from a live listing. */
export function catalogPlanAsOf(plan: DryRunResult["plan"]): string | null {
  const from = plan?.fromCatalog;
  if (!from) return null;
  return from.asOf ? utcMinute(from.asOf) : "its listing so far";
}

/**
 * The warning for a plan made from the catalog when the catalog has a listing newer than the one the
 * plan read (one that began after it, or any at all for a plan made while the first was under way);
 * null for a plan from a live listing, or when nothing is known of the catalog.
 */
export function catalogRefreshedWarning(plan: DryRunResult["plan"], now: CatalogListingNow | null | undefined): string | null {
  const from = plan?.fromCatalog;
  if (!from || !now) return null;
  if (from.asOf !== null && Date.parse(now.asOf) <= Date.parse(from.asOf)) return null;
  return (
    `The catalog was refreshed at ${utcMinute(now.finishedAt ?? now.asOf)} after this plan was made; ` +
    "the plan holds the keys of the earlier listing: keys found since are not in it (re-check live adds them, or make a new plan)."
  );
}
