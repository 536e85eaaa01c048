// One further page of keys (with the namespace's pending marks merged over it), as JSON, for the
// keys table's infinite scroll.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { loadKeyPage } from "~/features/keys/page.server";
import { getServices } from "~/context.server";
import { liveSource, ruleFromSearch } from "~/kv/key-filter";
import { UpstreamError, statusForKind } from "~/kv/errors";
import { requireConnection, upstreamFailure } from "~/kv/guards.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const search = new URL(request.url).searchParams;
  const { rule } = ruleFromSearch(search);
  const services = getServices(context);
  try {
    const catalog = await services.connections.catalog.get(connection.id, params.namespaceId!);
    const page = await loadKeyPage(services.cache, upstream, {
      accountId: connection.accountId,
      namespaceId: params.namespaceId!,
      prefix: rule.prefix ?? "",
      filter: rule,
      cursor: search.get("cursor") ?? "",
      after: search.get("after"),
      signal: request.signal,
      catalog: { store: services.connections.catalog, catalog, live: liveSource(search) },
    });
    return Response.json(page, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof UpstreamError) return Response.json(upstreamFailure(error), { status: statusForKind[error.kind] });
    throw error;
  }
}
