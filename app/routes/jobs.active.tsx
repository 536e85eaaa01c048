// The unfinished jobs people started (no dry runs: they change nothing), newest first, with their
// namespaces' titles, for the header's job tray.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { listJobs } from "~/jobs/api.server";
import { namespaceTitles } from "~/jobs/namespace-titles.server";
import { UNFINISHED_STATES } from "~/jobs/types";

export async function loader({ context }: LoaderFunctionArgs) {
  const services = getServices(context);
  const jobs = await listJobs({ services, state: UNFINISHED_STATES, dryRun: false, limit: 20 });
  const titles = await namespaceTitles(services, jobs);
  return Response.json({ jobs, titles }, { headers: { "Cache-Control": "no-store" } });
}
