// The header's job tray: unfinished jobs (dry runs aside) from any page, with their namespace and progress.
import { Link } from "@remix-run/react";
import { Popover } from "radix-ui";
import type { NamespaceTitles } from "~/jobs/namespace-key";
import { type JobSnapshot, isActive } from "~/jobs/types";
import { JOBS_TOPIC, type UnfinishedJobs } from "~/live/protocol";
import { useLiveTopic } from "~/live/use-live";
import { JobNamespaceLink, JobProgressBar, KIND_LABELS } from "./job-progress";

/** The newest unfinished jobs the tray lists. */
const TRAY_JOBS = 20;

/**
 * The tray's data: the `jobs` topic of the browser's one live connection (app/live), the newest
 * unfinished jobs people started with their namespaces' titles, sent again whenever they change. No
 * polling; while the connection is down the tray keeps the last state it had (it is a glance at the
 * jobs, never a reason for the page around it to fail).
 */
function useActiveJobs(): { jobs: JobSnapshot[]; titles?: NamespaceTitles; running: number } {
  const { data } = useLiveTopic<UnfinishedJobs>(JOBS_TOPIC);
  const jobs = data?.jobs.slice(0, TRAY_JOBS) ?? [];
  const running = jobs.filter((j) => isActive(j.state)).length;
  return { jobs, titles: data?.titles, running };
}

export function JobTray() {
  const { jobs, titles, running } = useActiveJobs();

  return (
    <Popover.Root>
      <Popover.Trigger className="inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-sm text-muted-foreground hover:bg-accent hover:text-foreground">
        Jobs
        {running ? (
          <span className="rounded-full bg-primary px-1.5 text-xs font-medium text-primary-foreground" aria-label={`${running} running`}>
            {running}
          </span>
        ) : null}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="end"
          sideOffset={6}
          className="z-50 w-80 rounded-lg border bg-popover p-3 text-sm shadow-lg"
          aria-label="Running jobs"
        >
          {jobs.length === 0 ? (
            <p className="text-muted-foreground">No job is running.</p>
          ) : (
            <ul className="space-y-3">
              {jobs.map((job) => (
                <li key={job.id} className="space-y-1">
                  <div className="flex justify-between gap-2">
                    <Link to={`/jobs/${job.id}`} className="font-medium text-primary hover:underline">
                      {KIND_LABELS[job.kind]}
                    </Link>
                    <span className="text-xs text-muted-foreground">{job.state}</span>
                  </div>
                  <p className="truncate text-xs">
                    in <JobNamespaceLink job={job} titles={titles} />
                  </p>
                  <JobProgressBar job={job} showText />
                </li>
              ))}
            </ul>
          )}
          <Link to="/jobs" className="mt-3 block text-xs text-primary hover:underline">
            All jobs
          </Link>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
