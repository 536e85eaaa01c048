import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { useCan } from "~/auth/use-user";
import { JobCounts, JobNamespaceLink, JobProgressBar, JobStateBadge, KIND_LABELS, jobSubject } from "~/components/job-progress";
import { KeyName, VisibleText } from "~/components/key-name";
import { RouteError } from "~/components/route-error";
import { useLiveJob } from "~/components/use-live-job";
import { Button } from "~/components/ui/button";
import { getServices } from "~/context.server";
import { cancelJob, listJobErrors, pauseJob, resumeJob } from "~/jobs/api.server";
import { namespaceTitles } from "~/jobs/namespace-titles.server";
import { jobRefusal, requireJob } from "~/jobs/route-helpers.server";
import { canCancel, canPause, canResume, isFinished, type DryRunResult, type ExportResult } from "~/jobs/types";
import { formatBytes, formatCount } from "~/utils/format";
import { readForm } from "~/utils/form-data.server";

const RECENT_ERRORS = 20;

export async function loader({ params, context }: LoaderFunctionArgs) {
  const job = await requireJob(context, params.jobId);
  const services = getServices(context);
  const [{ errors, total }, titles] = await Promise.all([
    listJobErrors({ services, jobId: job.id, limit: RECENT_ERRORS }),
    namespaceTitles(services, [job]),
  ]);
  return { job, errors, errorTotal: total, titles };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  await requireRole(context, "editor");
  const job = await requireJob(context, params.jobId);
  const intent = (await readForm(request)).get("intent");
  const services = getServices(context);
  const steer = { pause: pauseJob, resume: resumeJob, cancel: cancelJob }[String(intent) as "pause" | "resume" | "cancel"];
  if (!steer) return data({ ok: false as const, error: "Unknown action." }, { status: 400 });
  try {
    const next = await steer({ services, jobId: job.id });
    await recordAudit(context, { action: `job.${intent}`, target: `job ${job.id} (${job.kind})`, details: { state: next.state } });
    return data({ ok: true as const, job: next });
  } catch (error) {
    return jobRefusal(error);
  }
}

export default function JobPage() {
  const loaded = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const { job: live, connected } = useLiveJob(loaded.job, {
    onResync: () => revalidator.revalidate(),
    onEnd: () => revalidator.revalidate(),
  });
  const job = live ?? loaded.job;
  const canEdit = useCan("editor");
  const steer = useFetcher<{ ok: boolean; error?: string }>();
  const lastFailed = useRef(job.counters.failed);

  // New failures: refresh the recent errors (the loader), at most every 2 s.
  useEffect(() => {
    if (job.counters.failed === lastFailed.current) return;
    lastFailed.current = job.counters.failed;
    const timer = setTimeout(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearTimeout(timer);
  }, [job.counters.failed, revalidator]);

  const dryRun = job.dryRun ? ((job.result as { dryRun?: DryRunResult } | null)?.dryRun ?? null) : null;
  const exported = job.kind === "export" && job.state === "succeeded" && !job.dryRun ? (job.result as ExportResult | null) : null;

  return (
    <div className="mx-auto w-full max-w-4xl space-y-6 px-4 py-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{KIND_LABELS[job.kind]}</h1>
        <JobStateBadge state={job.state} dryRun={job.dryRun} />
        {job.pauseRequested ? <span className="text-sm text-muted-foreground">pausing after the batches in flight…</span> : null}
        <span className="text-xs text-muted-foreground" aria-live="polite">
          {isFinished(job.state) ? "" : connected ? "live" : "connecting…"}
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

      {canEdit && !isFinished(job.state) ? (
        <steer.Form method="post" className="flex flex-wrap gap-2">
          {canPause(job.state) && !job.pauseRequested ? (
            <Button name="intent" value="pause" variant="outline">
              Pause
            </Button>
          ) : null}
          {canResume(job.state) ? (
            <Button name="intent" value="resume" variant="outline">
              Resume
            </Button>
          ) : null}
          {canCancel(job.state) ? (
            <Button name="intent" value="cancel" variant="destructive">
              Cancel job
            </Button>
          ) : null}
          {steer.data && !steer.data.ok ? (
            <p role="alert" className="text-sm text-destructive">
              <VisibleText text={steer.data.error ?? ""} />
            </p>
          ) : null}
        </steer.Form>
      ) : null}
      {canEdit && job.state === "failed" ? (
        <steer.Form method="post">
          <Button name="intent" value="resume" variant="outline">
            Retry from checkpoint
          </Button>
        </steer.Form>
      ) : null}

      {dryRun && job.state === "succeeded" ? (
        <section aria-labelledby="dry-run-heading" className="space-y-2 rounded-lg border p-4">
          <h2 id="dry-run-heading" className="font-medium">
            Dry run: {formatCount(dryRun.matched)} keys match
          </h2>
          <p className="text-sm text-muted-foreground">
            A real run would take about {formatCount(dryRun.estimate.requests)} requests
            {dryRun.estimate.budget ? ` under the budget ${dryRun.estimate.budget}` : ""}, at least {Math.ceil(dryRun.estimate.seconds)} s.
            {dryRun.collisions !== undefined ? ` ${formatCount(dryRun.collisions)} keys already exist in the target.` : ""}
          </p>
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
      ) : null}

      {exported ? (
        <p>
          <Button asChild>
            <a href={`/jobs/${job.id}/download`} download>
              Download export ({formatCount(exported.keys)} keys, {formatBytes(exported.bytes)})
            </a>
          </Button>
        </p>
      ) : null}

      <section aria-labelledby="errors-heading" className="space-y-2" role="region">
        <div className="flex items-center justify-between">
          <h2 id="errors-heading" className="font-medium">
            Errors {loaded.errorTotal ? `(${formatCount(loaded.errorTotal)})` : ""}
          </h2>
          {loaded.errorTotal ? (
            <Button asChild variant="outline" size="sm">
              <a href={`/jobs/${job.id}/errors.csv`} download>
                Download error report
              </a>
            </Button>
          ) : null}
        </div>
        {loaded.errors.length === 0 ? (
          <p className="text-sm text-muted-foreground">No key has failed.</p>
        ) : (
          <ul className="divide-y rounded-md border text-sm">
            {loaded.errors.map((e, i) => (
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
