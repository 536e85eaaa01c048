// A job's per-key error report as CSV.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { errorReportCsv } from "~/jobs/api.server";
import { requireJob } from "~/jobs/route-helpers.server";
import { contentDisposition } from "~/kv/keys.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const job = await requireJob(context, params.jobId);
  return new Response(errorReportCsv({ services: getServices(context), jobId: job.id }), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(`kvdeck-job-${job.id.slice(0, 8)}-errors.csv`),
      "Cache-Control": "no-store",
    },
  });
}
