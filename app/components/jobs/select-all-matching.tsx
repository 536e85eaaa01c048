// "Select all N matching": makes a plan (a purge's dry run that records the exact matching keys),
// shows it (count, sample, what applying costs, its keys to download), then applies it behind the
// one plan confirmation (./plan-apply-dialog.tsx): exactly the planned keys are deleted with bulk
// requests and no second listing; "re-check" also deletes matching keys created since. See
// docs/decisions/019-plans.md.
import { useNavigate } from "@remix-run/react";
import { useState } from "react";
import { ruleFormEntries } from "~/jobs/payloads";
import type { JobSnapshot, PlanResult } from "~/jobs/types";
import { describeRule, type KeyRule } from "~/kv/key-rule";
import { formatCount } from "~/utils/format";
import type { RecycleOffer } from "~/features/recycle/bin.server";
import { KeyName, VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { useLiveJob } from "../use-live-job";
import { planKeysHref } from "./job-results";
import { PlanApplyDialog, planActionLabel, planApplyFields, planCost } from "./plan-apply-dialog";
import { catalogPlanAsOf } from "./plan-warnings";
import { useStartJob } from "./use-start-job";

interface Plan {
  id: string;
  finishedAt: number;
  result: PlanResult["dryRun"];
}

/** "Select all N matching": makes a plan of the page's rule, then offers to apply it. */
export function SelectAllMatching({
  action,
  rule,
  namespaceTitle,
  recycle,
  fromCatalog = false,
}: {
  action: string;
  rule: KeyRule;
  namespaceTitle: string;
  recycle: RecycleOffer;
  /** The page answered from the namespace's catalog: the plan is made from it too (no listing). */
  fromCatalog?: boolean;
}) {
  const navigate = useNavigate();
  const [planning, setPlanning] = useState<JobSnapshot | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [openedAt, setOpenedAt] = useState<number | null>(null);
  const makePlan = useStartJob(action, (job) => setPlanning(job));
  const apply = useStartJob(action, (job) => navigate(`/jobs/${job.id}`));
  const { job } = useLiveJob(planning, {
    onEnd: (finished) => {
      const result = (finished.result as PlanResult | null)?.dryRun;
      if (finished.state === "succeeded" && result)
        setPlan({ id: finished.id, finishedAt: Date.parse(finished.finishedAt ?? finished.updatedAt), result });
      setPlanning(null);
    },
  });
  const what = describeRule(rule);

  if (plan) {
    const n = plan.result.matched;
    const catalogAsOf = catalogPlanAsOf(plan.result.plan);
    return (
      <div className="flex flex-wrap items-center gap-2 text-sm text-foreground" role="group" aria-label="All matching keys">
        <span>
          All <strong>{formatCount(n)}</strong> keys matching <VisibleText text={what} /> are selected.
        </span>
        <span>
          Plan made{catalogAsOf ? ` from the catalog as of ${catalogAsOf}, with no upstream request` : ""}: deleting exactly these takes{" "}
          {planCost(plan.result.estimate)}.
        </span>
        {plan.result.sample.length ? (
          <ul aria-label="First planned keys" className="flex min-w-0 max-w-full flex-wrap gap-x-3 font-mono text-xs text-muted-foreground">
            {plan.result.sample.slice(0, 3).map((k) => (
              <li key={k} className="flex min-w-0 max-w-64">
                <KeyName name={k} truncate="middle" />
              </li>
            ))}
          </ul>
        ) : null}
        <Button asChild size="sm" variant="ghost">
          <a href={planKeysHref(plan.id)} download>
            Download the planned keys
          </a>
        </Button>
        <Button size="sm" variant="destructive" disabled={n === 0 || apply.pending} onClick={() => setOpenedAt(Date.now())}>
          {planActionLabel("purge", n)}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setPlan(null)}>
          Clear selection
        </Button>
        {apply.error ? (
          <span role="alert" className="text-destructive">
            <VisibleText text={apply.error} />
          </span>
        ) : null}
        <PlanApplyDialog
          openedAt={openedAt}
          onClose={() => setOpenedAt(null)}
          kind="purge"
          rule={rule}
          namespaceTitle={namespaceTitle}
          result={plan.result}
          finishedAt={plan.finishedAt}
          recycle={recycle}
          onConfirm={(recheck, copy) => apply.start(planApplyFields("purge", rule, plan.id, { recheck, matched: n, settings: copy }))}
        />
      </div>
    );
  }
  if (job) {
    return (
      <div className="flex items-center gap-2 text-sm" role="status">
        Making a plan of the keys matching <VisibleText text={what} />: {formatCount(job.counters.matched)} so far (
        {formatCount(job.counters.scanned)} scanned)…
      </div>
    );
  }
  return (
    <>
      <Button
        size="sm"
        variant="outline"
        disabled={makePlan.pending}
        onClick={() =>
          makePlan.start([
            ["kind", "purge"],
            ...ruleFormEntries(rule),
            ...(fromCatalog ? ([["source", "catalog"]] as [string, string][]) : []),
            ["dryRun", "on"],
          ])
        }
      >
        Select all matching
      </Button>
      {makePlan.error ? (
        <span role="alert" className="text-sm text-destructive">
          <VisibleText text={makePlan.error} />
        </span>
      ) : null}
    </>
  );
}
