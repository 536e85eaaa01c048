// The jobs list (or the dry runs), of everything or of one namespace, kept live: its unfinished
// jobs' progress from the browser's one live connection, and a reload when a job starts or
// finishes (app/live/use-live-job-list.ts). The query: app/features/jobs/job-list.server.ts.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { JobsTable } from "~/components/jobs/jobs-table";
import { VisibleText } from "~/components/key-name";
import { RouteError } from "~/components/route-error";
import { loadJobList } from "~/features/jobs/job-list.server";
import { namespaceTitle } from "~/jobs/namespace-key";
import { useLiveJobList } from "~/live/use-live-job-list";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadJobList(context, new URL(request.url).searchParams);
}

export default function Jobs() {
  const { jobs: loaded, titles, dryRuns, scope } = useLoaderData<typeof loader>();
  const jobs = useLiveJobList(loaded, { dryRuns, scope });

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
