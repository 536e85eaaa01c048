// A plan's keys (a purge's dry run) as NDJSON, one {"key": …} a line, in key order.
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { isPlan, planKeysNdjson } from "~/jobs/api.server";
import { requireJob } from "~/jobs/route-helpers.server";
import { contentDisposition } from "~/kv/keys.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const job = await requireJob(context, params.jobId);
  if (!isPlan(job))
    throw data(
      { message: "This job is not a plan: only a finished dry run of a purge or a bulk expiry has planned keys." },
      { status: 404 },
    );
  return new Response(planKeysNdjson({ services: getServices(context), jobId: job.id }), {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Content-Disposition": contentDisposition(`kvdeck-plan-${job.id.slice(0, 8)}.ndjson`),
      "Cache-Control": "no-store",
    },
  });
}
