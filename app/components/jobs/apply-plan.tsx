// A plan's page: apply it (a purge's, a bulk expiry's, a copy's or a move's), behind the one plan confirmation
// (./plan-apply-dialog.tsx), then on to the apply's page. See docs/decisions/019-plans.md.
import { useNavigate } from "@remix-run/react";
import { useState } from "react";
import type { BulkExpiryPayload, CopyPayload } from "~/jobs/payloads";
import type { JobSnapshot, PlanResult } from "~/jobs/types";
import { keyRuleSchema } from "~/kv/key-rule";
import { VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { PlanApplyDialog, type PlanKind, isPlanKind, planApplyFields } from "./plan-apply-dialog";
import type { CatalogListingNow } from "./plan-warnings";
import { useStartJob } from "./use-start-job";

/** The form fields of a bulk expiry's expiry, as its dialog sends them. */
function expiryFields(payload: BulkExpiryPayload): [string, string][] {
  if (payload.clear) return [["clear", "on"]];
  if (payload.expirationTtl !== undefined) return [["expirationTtl", String(payload.expirationTtl)]];
  if (payload.expiration !== undefined) return [["expiration", String(payload.expiration)]];
  return [];
}

/** The form fields of a copy's or move's target and collision policy. */
function copyFields(payload: CopyPayload): [string, string][] {
  return [
    ...(payload.targetConnectionId === undefined
      ? []
      : ([["targetConnectionId", String(payload.targetConnectionId)]] as [string, string][])),
    ["targetNamespaceId", payload.targetNamespaceId],
    ["onCollision", payload.onCollision ?? "overwrite"],
  ];
}

/** The fields that, beside the rule, make a plan's kind what it is. */
function settingsFields(kind: PlanKind, payload: unknown): [string, string][] {
  if (kind === "bulk-expiry") return expiryFields(payload as BulkExpiryPayload);
  if (kind === "copy" || kind === "move") return copyFields(payload as CopyPayload);
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
  // A copy's rule may be absent: every key.
  const rule = keyRuleSchema.safeParse((job.payload as { rule?: unknown } | null)?.rule ?? {});
  if (!job.dryRun || job.state !== "succeeded" || !result?.dryRun?.plan || result.appliedBy || !rule.success) return null;
  const planKind = job.kind;
  if (!isPlanKind(planKind)) return null;
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
          apply.start(
            planApplyFields(planKind, rule.data, job.id, { recheck, matched: n, settings: settingsFields(planKind, job.payload) }),
          )
        }
      />
    </section>
  );
}
