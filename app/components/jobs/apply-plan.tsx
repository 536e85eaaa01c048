// A plan's page: apply it (a purge's or a bulk expiry's), behind the same confirmation as "Select
// all matching" (typed for large counts, the re-check option, the warning past the consistency
// window), then on to the apply's page. See docs/decisions/019-plans.md.
import { useNavigate } from "@remix-run/react";
import { useState } from "react";
import { type BulkExpiryPayload, ruleFormEntries } from "~/jobs/payloads";
import type { JobSnapshot, PlanResult } from "~/jobs/types";
import { describeRule, keyRuleSchema } from "~/kv/key-rule";
import { formatCount } from "~/utils/format";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "../confirm-delete-dialog";
import { VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { CatalogPlanNote, catalogPlanAsOf, planStaleMinutes } from "./select-all-matching";
import { useStartJob } from "./use-start-job";

/** The form fields of a bulk expiry's expiry, as its dialog sends them. */
function expiryFields(payload: BulkExpiryPayload): [string, string][] {
  if (payload.clear) return [["clear", "on"]];
  if (payload.expirationTtl !== undefined) return [["expirationTtl", String(payload.expirationTtl)]];
  if (payload.expiration !== undefined) return [["expiration", String(payload.expiration)]];
  return [];
}

/** "Apply this plan" for a plan that finished and was not applied; nothing otherwise. */
export function ApplyPlan({ job }: { job: JobSnapshot }) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<{ staleMinutes: number | null } | null>(null);
  const [recheck, setRecheck] = useState(false);
  const apply = useStartJob(`/accounts/${job.connectionId}/namespaces/${job.namespaceId}/jobs`, (started) =>
    navigate(`/jobs/${started.id}`),
  );
  const result = job.result as PlanResult | null;
  const rule = keyRuleSchema.safeParse((job.payload as { rule?: unknown } | null)?.rule);
  if (!job.dryRun || job.state !== "succeeded" || !result?.dryRun?.plan || result.appliedBy || !rule.success) return null;
  if (job.kind !== "purge" && job.kind !== "bulk-expiry") return null;
  const n = result.dryRun.matched;
  const keys = `${formatCount(n)} ${n === 1 ? "key" : "keys"}`;
  const actionLabel = job.kind === "purge" ? `Delete ${keys}` : `Change the expiry of ${keys}`;
  const { requests, seconds } = result.dryRun.estimate;
  const finishedAt = Date.parse(job.finishedAt ?? job.updatedAt);
  const open = () => setConfirming({ staleMinutes: planStaleMinutes(finishedAt, Date.now()) });

  return (
    <section aria-label="Apply the plan" className="flex flex-wrap items-center gap-3">
      <Button variant="destructive" disabled={n === 0 || apply.pending} onClick={open}>
        Apply this plan
      </Button>
      {apply.error ? (
        <span role="alert" className="text-sm text-destructive">
          <VisibleText text={apply.error} />
        </span>
      ) : null}
      <ConfirmDeleteDialog
        open={confirming !== null}
        onOpenChange={(next) => (next ? open() : setConfirming(null))}
        title={`${actionLabel}?`}
        description={
          <>
            <p>
              Exactly the {keys} this plan holds (matching <VisibleText text={describeRule(rule.data)} />) are{" "}
              {job.kind === "purge" ? "deleted" : "rewritten with the new expiry"} by a background job you can pause or cancel:{" "}
              {formatCount(requests)} {requests === 1 ? "request" : "requests"}, at least {Math.ceil(seconds)} s under the request budget.
            </p>
            <CatalogPlanNote asOf={catalogPlanAsOf(result.dryRun.plan)} />
            {confirming?.staleMinutes ? (
              <p role="alert" className="mt-2 rounded-md bg-amber-500/10 p-2 text-amber-700 dark:text-amber-300">
                This plan is {confirming.staleMinutes} {confirming.staleMinutes === 1 ? "minute" : "minutes"} old: keys may have changed;
                re-check live adds keys created since.
              </p>
            ) : null}
          </>
        }
        actionLabel={actionLabel}
        confirmText={n >= TYPE_TO_CONFIRM_FROM ? String(n) : undefined}
        onConfirm={() => {
          setConfirming(null);
          apply.start([
            ["kind", job.kind],
            ...ruleFormEntries(rule.data),
            ...(job.kind === "bulk-expiry" ? expiryFields(job.payload as BulkExpiryPayload) : []),
            ["plan", job.id],
            ...(recheck ? ([["recheck", "on"]] as [string, string][]) : []),
            ["totalEstimate", String(n)],
          ]);
        }}
      >
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-1" checked={recheck} onChange={(e) => setRecheck(e.currentTarget.checked)} />
          <span>
            Re-check live: afterwards, also apply to keys matching the rule that were created since the plan (about{" "}
            {formatCount(result.dryRun.plan.recheckRequests)} more list requests)
          </span>
        </label>
      </ConfirmDeleteDialog>
    </section>
  );
}
