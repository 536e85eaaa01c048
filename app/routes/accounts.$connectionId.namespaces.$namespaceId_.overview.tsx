// A namespace's overview from its catalog: totals, keys by prefix, expiry, metadata, growth, as
// charts with tables (app/components/overview/namespace-overview.tsx). Not nested in the keys page.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useParams } from "@remix-run/react";
import { isDelimiter } from "~/catalog/delimiters";
import { catalogStats } from "~/catalog/stats.server";
import { NamespaceOverview } from "~/components/overview/namespace-overview";
import { RouteError } from "~/components/route-error";
import { getServices } from "~/context.server";
import { summarize } from "~/kv/connections.server";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { escapeInvisibles } from "~/utils/format";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const namespaceId = params.namespaceId!;
  const services = getServices(context);
  const asked = new URL(request.url).searchParams.get("delimiter") ?? "auto";
  const delimiter = isDelimiter(asked, true) ? asked : "auto";
  const [namespace, catalog] = await Promise.all([
    fromUpstream(() => upstream.getNamespace(namespaceId)),
    services.connections.catalog.get(connection.id, namespaceId),
  ]);
  const now = Date.now();
  const stats = catalog ? await catalogStats(services.database.db, catalog, { delimiter, now }) : null;
  return { connection: summarize(connection), namespace, delimiter, stats, now };
}

export default NamespaceOverview;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Overview of ${escapeInvisibles(data?.namespace.title ?? "namespace")} · kvdeck` },
];

export function ErrorBoundary() {
  const params = useParams();
  return <RouteError backTo={`/accounts/${params.connectionId}`} backLabel="Back to namespaces" />;
}
