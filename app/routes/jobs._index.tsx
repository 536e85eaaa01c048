import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { JobProgressBar, JobStateBadge, KIND_LABELS, jobSubject } from "~/components/job-progress";
import { RouteError } from "~/components/route-error";
import { getServices } from "~/context.server";
import { listJobs } from "~/jobs/api.server";
import { isFinished } from "~/jobs/types";
import { formatCount } from "~/utils/format";

/** While any job is unfinished the list refreshes itself this often. */
const REFRESH_MS = 1_000;

export async function loader({ context }: LoaderFunctionArgs) {
  const jobs = await listJobs({ services: getServices(context), limit: 100 });
  return { jobs };
}

export default function Jobs() {
  const { jobs } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const anyActive = jobs.some((j) => !isFinished(j.state) && j.state !== "paused");
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [anyActive, revalidator]);

  return (
    <div className="mx-auto w-full max-w-5xl px-4 py-6">
      <h1 className="mb-4 text-xl font-semibold">Jobs</h1>
      {jobs.length === 0 ? (
        <p className="rounded-lg border p-8 text-center text-muted-foreground">
          No jobs yet. Start one from a namespace: purge by rule, export, import, copy or set expiry.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border">
          <table className="w-full text-sm">
            <caption className="sr-only">Jobs, newest first</caption>
            <thead className="bg-muted/60 text-left">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Job
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  State
                </th>
                <th scope="col" className="w-48 px-3 py-2 font-medium">
                  Progress
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Started by
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {jobs.map((job) => (
                <tr key={job.id} className="hover:bg-accent/60">
                  <td className="px-3 py-2">
                    <Link to={`/jobs/${job.id}`} className="font-medium text-primary hover:underline">
                      {KIND_LABELS[job.kind]}
                    </Link>
                    <p className="truncate text-xs text-muted-foreground">{jobSubject(job)}</p>
                  </td>
                  <td className="px-3 py-2">
                    <JobStateBadge state={job.state} dryRun={job.dryRun} />
                  </td>
                  <td className="px-3 py-2">
                    <JobProgressBar job={job} />
                    <p className="mt-1 text-xs text-muted-foreground">
                      {formatCount(job.counters.processed)} processed · {formatCount(job.counters.failed)} failed
                    </p>
                  </td>
                  <td className="px-3 py-2 text-muted-foreground">
                    {job.createdBy ?? "—"}
                    <br />
                    <time dateTime={job.createdAt} className="text-xs">
                      {job.createdAt.replace("T", " ").slice(0, 19)} UTC
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Jobs · kvdeck" }];

export function ErrorBoundary() {
  return <RouteError />;
}
