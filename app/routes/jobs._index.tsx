import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { JobNamespaceLink, JobProgressBar, JobStateBadge, KIND_LABELS, jobSubject } from "~/components/job-progress";
import { VisibleText } from "~/components/key-name";
import { RouteError } from "~/components/route-error";
import { getServices } from "~/context.server";
import { listJobs } from "~/jobs/api.server";
import { namespaceTitle } from "~/jobs/namespace-key";
import { namespaceTitles } from "~/jobs/namespace-titles.server";
import { isActive } from "~/jobs/types";
import { escapeInvisibles, formatCount } from "~/utils/format";

/** While any job is unfinished the list refreshes itself this often. */
const REFRESH_MS = 1_000;
const PAGE = 100;

/**
 * The jobs people started (dry runs apart, under `?dryRuns=1`: they change nothing), newest first;
 * `?connection=&namespace=` keeps those of one namespace.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const search = new URL(request.url).searchParams;
  const dryRuns = search.get("dryRuns") === "1";
  const connectionParam = search.get("connection");
  const namespaceId = search.get("namespace");
  const connectionId = connectionParam === null ? undefined : Number(connectionParam);
  if (connectionId !== undefined && !(Number.isInteger(connectionId) && connectionId > 0)) {
    throw data({ message: "The connection in the address is not a connection id." }, { status: 400 });
  }
  if (namespaceId !== null && (connectionId === undefined || namespaceId === "")) {
    throw data({ message: "A namespace needs its connection in the address (?connection=…&namespace=…)." }, { status: 400 });
  }
  const services = getServices(context);
  const jobs = await listJobs({ services, limit: PAGE, dryRun: dryRuns, connectionId, namespaceId: namespaceId ?? undefined });
  const scope = connectionId !== undefined && namespaceId ? { connectionId, namespaceId } : null;
  const titles = await namespaceTitles(services, scope ? [...jobs, { kind: "purge", ...scope, payload: null }] : jobs);
  return { jobs, titles, dryRuns, scope };
}

export default function Jobs() {
  const { jobs, titles, dryRuns, scope } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const anyActive = jobs.some((j) => isActive(j.state));
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [anyActive, revalidator]);

  const scopeQuery = scope ? `connection=${scope.connectionId}&namespace=${encodeURIComponent(scope.namespaceId)}` : "";
  const scopeTitle = scope ? namespaceTitle(titles, scope.connectionId, scope.namespaceId) : null;
  const heading = `${dryRuns ? "Dry runs" : "Jobs"}${scopeTitle ? ` on ${scopeTitle}` : ""}`;

  return (
    <div className="mx-auto w-full max-w-5xl px-4 py-6">
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-xl font-semibold">
          <VisibleText text={heading} />
        </h1>
        <nav aria-label="Job lists" className="flex gap-4 text-sm">
          {dryRuns ? (
            <Link to={`/jobs${scopeQuery ? `?${scopeQuery}` : ""}`} className="text-primary hover:underline">
              Jobs
            </Link>
          ) : (
            <Link to={`/jobs?dryRuns=1${scopeQuery ? `&${scopeQuery}` : ""}`} className="text-primary hover:underline">
              Dry runs
            </Link>
          )}
          {scope ? (
            <Link to={dryRuns ? "/jobs?dryRuns=1" : "/jobs"} className="text-primary hover:underline">
              All namespaces
            </Link>
          ) : null}
        </nav>
      </div>
      {dryRuns ? (
        <p className="mb-4 text-sm text-muted-foreground">
          Dry runs count and sample the keys a job would touch; they change nothing. &ldquo;Select all matching&rdquo; starts one.
        </p>
      ) : null}
      {jobs.length === 0 ? (
        <p className="rounded-lg border p-8 text-center text-muted-foreground">
          {dryRuns ? "No dry runs." : "No jobs yet. Start one from a namespace: purge by rule, export, import, copy or set expiry."}
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border">
          <table className="w-full text-sm">
            <caption className="sr-only">{escapeInvisibles(heading)}, newest first</caption>
            <thead className="bg-muted/60 text-left">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Job
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Namespace
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
                    <p className="truncate text-xs text-muted-foreground">
                      <VisibleText text={jobSubject(job, titles)} />
                    </p>
                  </td>
                  <td className="px-3 py-2">
                    <JobNamespaceLink job={job} titles={titles} />
                  </td>
                  <td className="px-3 py-2">
                    <JobStateBadge state={job.state} dryRun={job.dryRun} />
                  </td>
                  <td className="px-3 py-2">
                    <JobProgressBar job={job} />
                    <p className="mt-1 text-xs text-muted-foreground">
                      {job.dryRun
                        ? `${formatCount(job.counters.matched)} matched`
                        : `${formatCount(job.counters.processed)} processed · ${formatCount(job.counters.failed)} failed`}
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

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.dryRuns ? "Dry runs" : "Jobs"} · kvdeck` }];

export function ErrorBoundary() {
  return <RouteError backTo="/jobs" backLabel="All jobs" />;
}
