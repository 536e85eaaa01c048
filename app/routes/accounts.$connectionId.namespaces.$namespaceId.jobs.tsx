// Starts jobs on a namespace: purge, export, copy/move, bulk expiry, large deletes (plain form
// fields, one schema for every kind: app/jobs/payloads.ts), and imports (a multipart upload
// streamed to disk). Its page is the jobs list kept to this namespace.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { startJobFromForm } from "~/features/jobs/start.server";
import { requireConnection } from "~/kv/guards.server";
import { resourceAction } from "~/utils/resource-route.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { connection } = await requireConnection(context, params.connectionId);
  return redirect(`/jobs?connection=${connection.id}&namespace=${encodeURIComponent(params.namespaceId!)}`);
}

/** Resource route: `data()` answers become Responses with their status (app/utils/resource-route.server.ts). */
export const action = resourceAction(async ({ request, params, context }: ActionFunctionArgs) => {
  const user = await requireRole(context, "editor");
  const { connection } = await requireConnection(context, params.connectionId);
  return startJobFromForm({ request, context, user, connectionId: connection.id, namespaceId: params.namespaceId! });
});
