// Resource route: one level of a namespace's prefix tree from its catalog, as JSON
// (?prefix=&delimiter=&from=&strict=1), for the prefix tree beside the keys table.
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { prefixChildren } from "~/catalog/prefixes.server";
import { catalogVersion } from "~/catalog/stats.server";
import { getServices } from "~/context.server";
import { requireConnection } from "~/kv/guards.server";
import { resourceAction } from "~/utils/resource-route.server";

/** Resource route: `data()` answers become Responses with their status (app/utils/resource-route.server.ts). */
export const loader = resourceAction(async ({ request, params, context }: LoaderFunctionArgs) => {
  const { connection } = await requireConnection(context, params.connectionId);
  const services = getServices(context);
  const search = new URL(request.url).searchParams;
  const delimiter = search.get("delimiter") || "/";
  if ([...delimiter].length !== 1) return data({ error: "The delimiter is one character." }, { status: 400 });
  const catalog = await services.connections.catalog.get(connection.id, params.namespaceId!);
  if (!catalog) return data({ error: "This namespace has no catalog: index it first." }, { status: 404 });
  const prefix = search.get("prefix") ?? "";
  const from = search.get("from");
  if (from !== null && !from.startsWith(prefix)) return data({ error: "“from” must start with the prefix." }, { status: 400 });
  const level = await prefixChildren(services.database.db, catalog.id, {
    prefix,
    delimiter,
    after: from === null ? null : { from, strict: search.get("strict") === "1" },
    version: catalogVersion(catalog),
  });
  return data({ level });
});
