// The namespace's catalog: set its refresh schedule, or remove it (app/features/catalog). Indexing
// and refreshing are jobs, started through the namespace's jobs action.
import type { ActionFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { catalogAction } from "~/features/catalog/actions.server";
import { requireConnection } from "~/kv/guards.server";
import { readForm } from "~/utils/form-data.server";
import { resourceAction } from "~/utils/resource-route.server";

export const action = resourceAction(async ({ request, params, context }: ActionFunctionArgs) => {
  const user = await requireRole(context, "editor");
  const { connection } = await requireConnection(context, params.connectionId);
  const form = await readForm(request, (r) => r.formData());
  return catalogAction({ context, user, form, connectionId: connection.id, namespaceId: params.namespaceId! });
});
