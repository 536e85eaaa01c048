// The jobs that are not finished, newest first, for the header's job tray.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { listJobs } from "~/jobs/api.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const jobs = await listJobs({ services: getServices(context), state: ["queued", "running", "cancelling", "paused"], limit: 20 });
  return Response.json({ jobs }, { headers: { "Cache-Control": "no-store" } });
}
