// The running jobs' marks on some of an account's namespaces (`?id=…`, repeated), as JSON, for the
// namespaces list's refresh while a job runs: read from the cache and the job store, never from
// the upstream (whose request budget the running job needs).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { loadJobActivity } from "~/features/namespaces/list.server";
import { requireConnection } from "~/kv/guards.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { connection } = await requireConnection(context, params.connectionId);
  const ids = new URL(request.url).searchParams.getAll("id");
  const activity = await loadJobActivity(getServices(context), connection.accountId, ids);
  return Response.json({ activity }, { headers: { "Cache-Control": "no-store" } });
}
