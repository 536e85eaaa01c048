// "Select all N matching": makes a plan (a purge's dry run that records the exact matching keys),
// shows it (count, sample, what applying costs, its keys to download), then applies it behind a
// confirmation (typed for large counts): exactly the planned keys are deleted with bulk requests
// and no second listing; "re-check" also deletes matching keys created since. See
// docs/decisions/019-plans.md.
import { useNavigate } from "@remix-run/react";
import { useState } from "react";
import { ruleFormEntries } from "~/jobs/payloads";
import { type DryRunResult, type JobSnapshot, PLAN_CONSISTENCY_MS, type PlanResult } from "~/jobs/types";
import { describeRule, type KeyRule } from "~/kv/key-rule";
import { formatCount } from "~/utils/format";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "../confirm-delete-dialog";
import { KeyName, VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { useLiveJob } from "../use-live-job";
import { planKeysHref } from "./job-results";
import { useStartJob } from "./use-start-job";

interface Plan {
  id: string;
  finishedAt: number;
  result: PlanResult["dryRun"];
}

/** How old a plan is, in whole minutes (at least 1) once past the consistency window, else null. */
export function planStaleMinutes(finishedAt: number, now: number): number | null {
  const age = now - finishedAt;
  return age > PLAN_CONSISTENCY_MS ? Math.max(1, Math.floor(age / 60_000)) : null;
}

/** When the catalog a plan was made from was listed ("… UTC"), or null for a plan from a live listing. */
export function catalogPlanAsOf(plan: DryRunResult["plan"]): string | null {
  const from = plan?.fromCatalog;
  if (!from) return null;
  return from.asOf ? `${new Date(from.asOf).toISOString().slice(0, 16).replace("T", " ")} UTC` : "its listing so far";
}

/** In a plan's confirmation: what a plan from the catalog cannot know. */
export function CatalogPlanNote({ asOf }: { asOf: string | null }) {
  return asOf ? (
    <p className="mt-2 rounded-md bg-muted p-2">
      This plan comes from the catalog as of {asOf}: keys written outside kvdeck since then are not in it; re-check live adds them.
    </p>
  ) : null;
}

const keysWord = (n: number) => (n === 1 ? "key" : "keys");

/** "Select all N matching": makes a plan of the page's rule, then offers to apply it. */
export function SelectAllMatching({
  action,
  rule,
  namespaceTitle,
  fromCatalog = false,
}: {
  action: string;
  rule: KeyRule;
  namespaceTitle: string;
  /** The page answered from the namespace's catalog: the plan is made from it too (no listing). */
  fromCatalog?: boolean;
}) {
  const navigate = useNavigate();
  const [planning, setPlanning] = useState<JobSnapshot | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [confirming, setConfirming] = useState<{ staleMinutes: number | null } | null>(null);
  const [recheck, setRecheck] = useState(false);
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
    const { requests, seconds } = plan.result.estimate;
    const recheckRequests = plan.result.plan?.recheckRequests ?? 0;
    const catalogAsOf = catalogPlanAsOf(plan.result.plan);
    const cost = (
      <>
        {formatCount(requests)} {requests === 1 ? "request" : "requests"}, at least {Math.ceil(seconds)} s under the request budget
      </>
    );
    const sample = plan.result.sample.length ? (
      <ul aria-label="Sample of the planned keys" className="mt-2 max-h-24 overflow-auto font-mono text-xs">
        {plan.result.sample.slice(0, 5).map((k) => (
          <li key={k} className="flex min-w-0">
            <KeyName name={k} truncate="middle" />
          </li>
        ))}
      </ul>
    ) : null;
    return (
      <div className="flex flex-wrap items-center gap-2 text-sm text-foreground" role="group" aria-label="All matching keys">
        <span>
          All <strong>{formatCount(n)}</strong> keys matching <VisibleText text={what} /> are selected.
        </span>
        <span>
          Plan made{catalogAsOf ? ` from the catalog as of ${catalogAsOf}, with no upstream request` : ""}: deleting exactly these takes{" "}
          {cost}.
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
        <Button
          size="sm"
          variant="destructive"
          disabled={n === 0 || apply.pending}
          onClick={() => setConfirming({ staleMinutes: planStaleMinutes(plan.finishedAt, Date.now()) })}
        >
          Delete {formatCount(n)} {keysWord(n)}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setPlan(null)}>
          Clear selection
        </Button>
        {apply.error ? (
          <span role="alert" className="text-destructive">
            <VisibleText text={apply.error} />
          </span>
        ) : null}
        <ConfirmDeleteDialog
          open={confirming !== null}
          onOpenChange={(open) => setConfirming(open ? { staleMinutes: planStaleMinutes(plan.finishedAt, Date.now()) } : null)}
          title={`Delete ${formatCount(n)} ${keysWord(n)} from ${namespaceTitle}?`}
          description={
            <>
              <p>
                Exactly the {formatCount(n)} planned {keysWord(n)} matching <VisibleText text={what} /> are deleted by a background job you
                can pause or cancel: {cost}. This cannot be undone.
              </p>
              <CatalogPlanNote asOf={catalogAsOf} />
              {confirming?.staleMinutes ? (
                <p role="alert" className="mt-2 rounded-md bg-amber-500/10 p-2 text-amber-700 dark:text-amber-300">
                  This plan is {confirming.staleMinutes} {confirming.staleMinutes === 1 ? "minute" : "minutes"} old: keys may have changed;
                  re-check live adds keys created since.
                </p>
              ) : null}
              {sample}
            </>
          }
          actionLabel={`Delete ${formatCount(n)} ${keysWord(n)}`}
          confirmText={n >= TYPE_TO_CONFIRM_FROM ? String(n) : undefined}
          onConfirm={() => {
            setConfirming(null);
            apply.start([
              ["kind", "purge"],
              ...ruleFormEntries(rule),
              ["plan", plan.id],
              ...(recheck ? ([["recheck", "on"]] as [string, string][]) : []),
              ["totalEstimate", String(n)],
            ]);
          }}
        >
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" className="mt-1" checked={recheck} onChange={(e) => setRecheck(e.currentTarget.checked)} />
            <span>
              Re-check live: afterwards, also delete keys matching the rule that were created since the plan (about{" "}
              {formatCount(recheckRequests)} more list requests)
            </span>
          </label>
        </ConfirmDeleteDialog>
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
