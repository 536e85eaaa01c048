// A plan's page: apply it (a purge's or a bulk expiry's), behind the one plan confirmation
// (./plan-apply-dialog.tsx), then on to the apply's page. See docs/decisions/019-plans.md.
import { useNavigate } from "@remix-run/react";
import { useState } from "react";
import { type BulkExpiryPayload, ruleFormEntries } from "~/jobs/payloads";
import type { JobSnapshot, PlanResult } from "~/jobs/types";
import { keyRuleSchema } from "~/kv/key-rule";
import { VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { PLAN_ACTIONS, PlanApplyDialog } from "./plan-apply-dialog";
import type { CatalogListingNow } from "./plan-warnings";
import { useStartJob } from "./use-start-job";

/** The form fields of a bulk expiry's expiry, as its dialog sends them. */
function expiryFields(payload: BulkExpiryPayload): [string, string][] {
  if (payload.clear) return [["clear", "on"]];
  if (payload.expirationTtl !== undefined) return [["expirationTtl", String(payload.expirationTtl)]];
  if (payload.expiration !== undefined) return [["expiration", String(payload.expiration)]];
  return [];
}

/** "Apply this plan" for a plan that finished and was not applied; nothing otherwise. */
export function ApplyPlan({
  job,
  namespaceTitle,
  catalogNow,
}: {
  job: JobSnapshot;
  namespaceTitle: string;
  /** The namespace's catalog now, for a plan made from it. */
  catalogNow: CatalogListingNow | null;
}) {
  const navigate = useNavigate();
  const [openedAt, setOpenedAt] = useState<number | null>(null);
  const apply = useStartJob(`/accounts/${job.connectionId}/namespaces/${job.namespaceId}/jobs`, (started) =>
    navigate(`/jobs/${started.id}`),
  );
  const result = job.result as PlanResult | null;
  const rule = keyRuleSchema.safeParse((job.payload as { rule?: unknown } | null)?.rule);
  if (!job.dryRun || job.state !== "succeeded" || !result?.dryRun?.plan || result.appliedBy || !rule.success) return null;
  const kind = job.kind;
  if (!(kind in PLAN_ACTIONS)) return null;
  const planKind = kind as keyof typeof PLAN_ACTIONS;
  const n = result.dryRun.matched;

  return (
    <section aria-label="Apply the plan" className="flex flex-wrap items-center gap-3">
      <Button variant="destructive" disabled={n === 0 || apply.pending} onClick={() => setOpenedAt(Date.now())}>
        Apply this plan
      </Button>
      {apply.error ? (
        <span role="alert" className="text-sm text-destructive">
          <VisibleText text={apply.error} />
        </span>
      ) : null}
      <PlanApplyDialog
        openedAt={openedAt}
        onClose={() => setOpenedAt(null)}
        kind={planKind}
        rule={rule.data}
        namespaceTitle={namespaceTitle}
        result={result.dryRun}
        finishedAt={Date.parse(job.finishedAt ?? job.updatedAt)}
        catalogNow={catalogNow}
        onConfirm={(recheck) =>
          apply.start([
            ["kind", planKind],
            ...ruleFormEntries(rule.data),
            ...(planKind === "bulk-expiry" ? expiryFields(job.payload as BulkExpiryPayload) : []),
            ["plan", job.id],
            ...(recheck ? ([["recheck", "on"]] as [string, string][]) : []),
            ["totalEstimate", String(n)],
          ])
        }
      />
    </section>
  );
}
