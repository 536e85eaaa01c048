// The jobs people started on this namespace that have not finished (dry runs aside), with live progress.
import { Link } from "@remix-run/react";
import { isFinished, type JobSnapshot } from "~/jobs/types";
import { JobProgressBar, KIND_LABELS } from "../job-progress";
import { useLiveJob } from "../use-live-job";

/** Jobs people started on this namespace that have not finished (dry runs aside), with live progress. */
export function ActiveJobsBanner({ jobs }: { jobs: JobSnapshot[] }) {
  if (jobs.length === 0) return null;
  const { connectionId, namespaceId } = jobs[0];
  return (
    <div className="border-b bg-muted/40">
      <ul aria-label="Jobs running on this namespace" className="divide-y">
        {jobs.map((job) => (
          <ActiveJob key={job.id} initial={job} />
        ))}
      </ul>
      <p className="px-4 pb-2 text-xs">
        <Link to={`/jobs?connection=${connectionId}&namespace=${encodeURIComponent(namespaceId)}`} className="text-primary hover:underline">
          All jobs on this namespace
        </Link>
      </p>
    </div>
  );
}

function ActiveJob({ initial }: { initial: JobSnapshot }) {
  const { job } = useLiveJob(initial);
  if (!job || (isFinished(job.state) && job.state !== "failed")) return null;
  return (
    <li className="flex flex-wrap items-center gap-3 px-4 py-2 text-sm">
      <Link to={`/jobs/${job.id}`} className="font-medium text-primary hover:underline">
        {KIND_LABELS[job.kind]}
      </Link>
      <span className="text-muted-foreground">{job.state}</span>
      <div className="w-72">
        <JobProgressBar job={job} showText />
      </div>
    </li>
  );
}
