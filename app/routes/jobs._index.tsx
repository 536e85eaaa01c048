// The jobs list (or the dry runs), of everything or of one namespace; it refreshes itself while a
// job in it is active. The query: app/features/jobs/job-list.server.ts.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { JobsTable } from "~/components/jobs/jobs-table";
import { VisibleText } from "~/components/key-name";
import { RouteError } from "~/components/route-error";
import { loadJobList } from "~/features/jobs/job-list.server";
import { namespaceTitle } from "~/jobs/namespace-key";
import { isActive } from "~/jobs/types";

/** While any job is unfinished the list refreshes itself this often. */
const REFRESH_MS = 1_000;

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadJobList(context, new URL(request.url).searchParams);
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
        <JobsTable jobs={jobs} titles={titles} heading={heading} />
      )}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.dryRuns ? "Dry runs" : "Jobs"} · kvdeck` }];

export function ErrorBoundary() {
  return <RouteError backTo="/jobs" backLabel="All jobs" />;
}
