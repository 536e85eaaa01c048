// The header's job tray: unfinished jobs (dry runs aside) from any page, with their namespace and progress.
import { Link, useFetcher } from "@remix-run/react";
import { Popover } from "radix-ui";
import { useEffect } from "react";
import type { NamespaceTitles } from "~/jobs/namespace-key";
import { type JobSnapshot, isActive } from "~/jobs/types";
import { JobNamespaceLink, JobProgressBar, KIND_LABELS } from "./job-progress";

const BUSY_POLL_MS = 2_000;
const IDLE_POLL_MS = 15_000;

export function JobTray() {
  const fetcher = useFetcher<{ jobs: JobSnapshot[]; titles: NamespaceTitles }>({ key: "job-tray" });
  const jobs = fetcher.data?.jobs ?? [];
  const titles = fetcher.data?.titles;
  const running = jobs.filter((j) => isActive(j.state));
  const load = fetcher.load;

  useEffect(() => {
    load("/jobs/active");
    const timer = setInterval(
      () => {
        if (document.visibilityState === "visible") load("/jobs/active");
      },
      running.length ? BUSY_POLL_MS : IDLE_POLL_MS,
    );
    return () => clearInterval(timer);
  }, [load, running.length]);

  return (
    <Popover.Root>
      <Popover.Trigger className="inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-sm text-muted-foreground hover:bg-accent hover:text-foreground">
        Jobs
        {running.length ? (
          <span
            className="rounded-full bg-primary px-1.5 text-xs font-medium text-primary-foreground"
            aria-label={`${running.length} running`}
          >
            {running.length}
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
