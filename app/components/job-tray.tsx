// The header's job tray: unfinished jobs (dry runs aside) from any page, with their namespace and progress.
import { Link, useLocation } from "@remix-run/react";
import { Popover } from "radix-ui";
import { useEffect, useState } from "react";
import type { NamespaceTitles } from "~/jobs/namespace-key";
import { type JobSnapshot, isActive } from "~/jobs/types";
import { JobNamespaceLink, JobProgressBar, KIND_LABELS } from "./job-progress";

const BUSY_POLL_MS = 2_000;
const IDLE_POLL_MS = 15_000;

interface TrayData {
  jobs: JobSnapshot[];
  titles: NamespaceTitles;
}

/**
 * The tray's data, polled: every 2 s while a job runs, every 15 s otherwise, only while the tab is
 * visible, and at once after each navigation (starting a job leads to its page). A poll that fails
 * (the server restarting, a session that expired) keeps the last answer: the tray is a glance at
 * the jobs, never a reason for the page around it to fail, as a failed fetcher revalidation was.
 */
function useActiveJobs(): { jobs: JobSnapshot[]; titles?: NamespaceTitles; running: number } {
  const [data, setData] = useState<TrayData | null>(null);
  const jobs = data?.jobs ?? [];
  const running = jobs.filter((j) => isActive(j.state)).length;
  const { key: navigation } = useLocation();
  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const response = await fetch("/jobs/active", { headers: { Accept: "application/json" } });
        if (!response.ok || !response.headers.get("Content-Type")?.includes("application/json")) return;
        const next = (await response.json()) as TrayData;
        if (live) setData(next);
      } catch {
        // Offline or mid-restart: the next poll tries again.
      }
    };
    void poll();
    const timer = setInterval(
      () => {
        if (document.visibilityState === "visible") void poll();
      },
      running ? BUSY_POLL_MS : IDLE_POLL_MS,
    );
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [running, navigation]);
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
