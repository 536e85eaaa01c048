// What a job produced, on its page: a dry run's count, estimate and sample (a plan's also its keys
// to download and the job that applied it); which plan an apply applied; an export's download;
// the keys that failed, with the full report as CSV.
import { Link } from "@remix-run/react";
import type { DryRunResult, ExportResult, IndexResult, JobErrorEntry, PlanApplyResult } from "~/jobs/types";
import { formatBytes, formatCount } from "~/utils/format";
import { KeyName, VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { PLAN_ACTIONS, type PlanKind } from "./plan-apply-dialog";

/** Where a plan's keys download from (app/routes/jobs.$jobId.plan[.]ndjson.tsx). */
export const planKeysHref = (jobId: string) => `/jobs/${jobId}/plan.ndjson`;

export function DryRunSummary({ jobId, dryRun, appliedBy }: { jobId: string; dryRun: DryRunResult; appliedBy?: string }) {
  const plan = dryRun.plan;
  return (
    <section aria-labelledby="dry-run-heading" className="space-y-2 rounded-lg border p-4">
      <h2 id="dry-run-heading" className="font-medium">
        {plan ? "Plan" : "Dry run"}: {formatCount(dryRun.matched)} keys match
      </h2>
      <p className="text-sm text-muted-foreground">
        {plan ? "Applying this plan takes" : "A real run would take"} about {formatCount(dryRun.estimate.requests)} requests
        {dryRun.estimate.budget ? ` under the budget ${dryRun.estimate.budget}` : ""}, at least {Math.ceil(dryRun.estimate.seconds)} s.
        {plan ? ` A re-check of the rule adds about ${formatCount(plan.recheckRequests)} list requests.` : ""}
        {dryRun.collisions !== undefined ? ` ${formatCount(dryRun.collisions)} keys already exist in the target.` : ""}
      </p>
      {plan ? (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <Button asChild variant="outline" size="sm">
            <a href={planKeysHref(jobId)} download>
              Download the planned keys
            </a>
          </Button>
          {appliedBy ? (
            <span>
              Applied by{" "}
              <Link to={`/jobs/${appliedBy}`} className="text-primary hover:underline">
                job {appliedBy.slice(0, 8)}
              </Link>
            </span>
          ) : (
            <span className="text-muted-foreground">Not applied yet.</span>
          )}
        </div>
      ) : null}
      {dryRun.sample.length ? (
        <ul className="max-h-48 overflow-auto font-mono text-xs">
          {dryRun.sample.map((k) => (
            <li key={k} className="flex min-w-0">
              <KeyName name={k} truncate="middle" />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** An apply's plan: which one, and what its re-check deleted beyond it. */
export function PlanApplied({ applied, kind }: { applied: PlanApplyResult; kind: PlanKind }) {
  return (
    <p className="text-sm">
      Applies{" "}
      <Link to={`/jobs/${applied.plan}`} className="text-primary hover:underline">
        plan {applied.plan.slice(0, 8)}
      </Link>
      {applied.recheck
        ? `, then re-checks the rule live${applied.added !== undefined ? `: ${formatCount(applied.added)} keys created since the plan ${PLAN_ACTIONS[kind].past} too` : ""}.`
        : " (exactly its keys)."}
    </p>
  );
}

/** What an index job's listing found: the catalog's keys, and what appeared and vanished since the last one. */
export function CatalogListed({ listed }: { listed: IndexResult }) {
  return (
    <p className="text-sm">
      The catalog holds {formatCount(listed.keys)} {listed.keys === 1 ? "key" : "keys"} ({formatBytes(listed.bytes)}):{" "}
      {listed.scan === 1
        ? "its first listing."
        : `${formatCount(listed.added)} new and ${formatCount(listed.removed)} gone since the last listing.`}
    </p>
  );
}

export function ExportDownload({ jobId, exported }: { jobId: string; exported: ExportResult }) {
  return (
    <p>
      <Button asChild>
        <a href={`/jobs/${jobId}/download`} download>
          Download export ({formatCount(exported.keys)} keys, {formatBytes(exported.bytes)})
        </a>
      </Button>
    </p>
  );
}

export function JobErrors({ jobId, errors, total }: { jobId: string; errors: JobErrorEntry[]; total: number }) {
  return (
    <section aria-labelledby="errors-heading" className="space-y-2">
      <div className="flex items-center justify-between">
        <h2 id="errors-heading" className="font-medium">
          Errors {total ? `(${formatCount(total)})` : ""}
        </h2>
        {total ? (
          <Button asChild variant="outline" size="sm">
            <a href={`/jobs/${jobId}/errors.csv`} download>
              Download error report
            </a>
          </Button>
        ) : null}
      </div>
      {errors.length === 0 ? (
        <p className="text-sm text-muted-foreground">No key has failed.</p>
      ) : (
        <ul className="divide-y rounded-md border text-sm">
          {errors.map((e, i) => (
            <li key={`${e.key}-${i}`} className="flex gap-3 px-3 py-1.5">
              <span className="flex min-w-0 flex-1 font-mono text-xs">{e.key ? <KeyName name={e.key} truncate="middle" /> : "—"}</span>
              <span className="min-w-0 break-words text-muted-foreground">
                <VisibleText text={e.error} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
