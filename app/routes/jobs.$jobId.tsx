// One job: live progress (the browser's one live connection, app/live), counters, controls, a dry run's result, an
// export's download and the keys that failed. Loading and steering: app/features/jobs/job-page.server.ts.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { requireRole } from "~/auth/guards.server";
import { useCan } from "~/auth/use-user";
import { JobCounts, JobNamespaceLink, JobProgressBar, JobStateBadge, KIND_LABELS, jobSubject } from "~/components/job-progress";
import { ApplyPlan } from "~/components/jobs/apply-plan";
import { isPlanKind } from "~/components/jobs/plan-apply-dialog";
import { JobControls } from "~/components/jobs/job-controls";
import { CatalogListed, DryRunSummary, ExportDownload, JobErrors, PlanApplied } from "~/components/jobs/job-results";
import { VisibleText } from "~/components/key-name";
import { RouteError } from "~/components/route-error";
import { useLiveJob } from "~/components/use-live-job";
import { loadJobPage, steerJob } from "~/features/jobs/job-page.server";
import { isFinished, type ExportResult, type IndexResult, type PlanApplyResult, type PlanResult } from "~/jobs/types";
import { namespaceTitle } from "~/jobs/namespace-key";
import { readForm } from "~/utils/form-data.server";

/** What the page says of the shared live connection while the job has not finished. */
const STATUS_TEXT = { live: "live", connecting: "connecting…", offline: "offline" } as const;

/** New failures refresh the recent errors (the loader) at most this often. */
const ERRORS_REFRESH_MS = 2000;

export async function loader({ params, context }: LoaderFunctionArgs) {
  return loadJobPage(context, params.jobId);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  await requireRole(context, "editor");
  return steerJob(context, params.jobId, await readForm(request));
}

export default function JobPage() {
  const loaded = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const { job: live, status } = useLiveJob(loaded.job, {
    onResync: () => revalidator.revalidate(),
    onEnd: () => revalidator.revalidate(),
  });
  const job = live ?? loaded.job;
  const canEdit = useCan("editor");
  const lastFailed = useRef(job.counters.failed);

  useEffect(() => {
    if (job.counters.failed === lastFailed.current) return;
    lastFailed.current = job.counters.failed;
    const timer = setTimeout(() => revalidator.state === "idle" && revalidator.revalidate(), ERRORS_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [job.counters.failed, revalidator]);

  const planResult = job.dryRun ? (job.result as Partial<PlanResult> | null) : null;
  const dryRun = planResult?.dryRun ?? null;
  // An apply names its plan from the start (its payload); its result adds what a re-check deleted.
  const planKind = isPlanKind(job.kind) ? job.kind : null;
  const applyOf = !job.dryRun && planKind ? (job.payload as { plan?: string; recheck?: boolean } | null) : null;
  const applied: PlanApplyResult | null = applyOf?.plan
    ? { plan: applyOf.plan, recheck: Boolean(applyOf.recheck), added: (job.result as PlanApplyResult | null)?.added }
    : null;
  const exported = job.kind === "export" && job.state === "succeeded" && !job.dryRun ? (job.result as ExportResult | null) : null;
  const listed = job.kind === "index" && job.state === "succeeded" ? (job.result as IndexResult | null) : null;

  return (
    <div className="mx-auto w-full max-w-4xl space-y-6 px-4 py-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{KIND_LABELS[job.kind]}</h1>
        <JobStateBadge state={job.state} dryRun={job.dryRun} />
        {job.pauseRequested ? <span className="text-sm text-muted-foreground">pausing after the batches in flight…</span> : null}
        <span className="text-xs text-muted-foreground" role="status" aria-label="Live updates">
          {isFinished(job.state) ? "" : STATUS_TEXT[status]}
        </span>
      </div>
      <p className="text-sm text-muted-foreground">
        <VisibleText text={jobSubject(job, loaded.titles)} /> in <JobNamespaceLink job={job} titles={loaded.titles} />
        {job.createdBy ? ` · started by ${job.createdBy}` : ""}
        {job.phase ? (
          <>
            {" · "}
            <VisibleText text={job.phase} />
          </>
        ) : null}
      </p>

      <section aria-label="Progress" className="space-y-3">
        <JobProgressBar job={job} className="h-3" showText textClassName="text-sm" />
        <JobCounts job={job} />
        {job.error ? (
          <p role="alert" className="rounded-md bg-destructive/10 p-3 text-sm text-destructive">
            <VisibleText text={job.error} />
          </p>
        ) : null}
      </section>

      {canEdit ? <JobControls job={job} /> : null}
      {applied && planKind ? <PlanApplied applied={applied} kind={planKind} /> : null}
      {dryRun && job.state === "succeeded" ? <DryRunSummary jobId={job.id} dryRun={dryRun} appliedBy={planResult?.appliedBy} /> : null}
      {canEdit ? (
        <ApplyPlan
          job={job}
          namespaceTitle={namespaceTitle(loaded.titles, job.connectionId, job.namespaceId)}
          catalogNow={loaded.catalogListing}
        />
      ) : null}
      {exported ? <ExportDownload jobId={job.id} exported={exported} /> : null}
      {listed ? <CatalogListed listed={listed} /> : null}
      <JobErrors jobId={job.id} errors={loaded.errors} total={loaded.errorTotal} />
      <p>
        <Link to={job.dryRun ? "/jobs?dryRuns=1" : "/jobs"} className="text-sm text-primary hover:underline">
          {job.dryRun ? "All dry runs" : "All jobs"}
        </Link>
      </p>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? KIND_LABELS[data.job.kind] : "Job"} · kvdeck` }];

export function ErrorBoundary() {
  return <RouteError backTo="/jobs" backLabel="All jobs" />;
}
