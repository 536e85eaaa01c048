// The namespace page's data: the namespace, the first page of its keys under the URL's filter
// (with the cache's marks merged over it) and the jobs running on it.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { loadKeyPage } from "~/features/keys/page.server";
import { getServices } from "~/context.server";
import { listUnfinishedNamespaceJobs } from "~/jobs/api.server";
import { summarize } from "~/kv/connections.server";
import { detectedDelimiter } from "~/catalog/figures.server";
import { catalogSummary } from "~/catalog/summary";
import { expiryChoice, filterSearch, liveSource, ruleFromSearch, startKey } from "~/kv/key-filter";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { recycleOffer } from "~/features/recycle/bin.server";

export async function loadNamespaceKeys({ request, params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const namespaceId = params.namespaceId!;
  const search = new URL(request.url).searchParams;
  const { rule, error: filterError } = ruleFromSearch(search);
  const prefix = rule.prefix ?? "";
  const services = getServices(context);
  const catalog = await services.connections.catalog.get(connection.id, namespaceId);
  // A jump to a key needs the catalog (the upstream lists from the start only) and is not a live answer.
  const from = catalog && !liveSource(search) ? startKey(search) : null;
  // The jobs come from the database: asked for alongside the upstream, not after it.
  const [[namespace, page], activeJobs, treeDelimiter, recycle] = await Promise.all([
    fromUpstream(() =>
      Promise.all([
        upstream.getNamespace(namespaceId),
        loadKeyPage(services.cache, upstream, {
          accountId: connection.accountId,
          namespaceId,
          prefix,
          cursor: "",
          after: null,
          filter: rule,
          signal: request.signal,
          catalog: { store: services.connections.catalog, catalog, live: liveSource(search) },
          from,
        }),
      ]),
    ),
    listUnfinishedNamespaceJobs({ services, connectionId: connection.id, namespaceId }),
    // The prefix tree opens at the delimiter the catalog's overview detected.
    catalog ? detectedDelimiter(services.database.db, catalog.id) : null,
    recycleOffer(services, connection),
  ]);
  return {
    connection: summarize(connection),
    namespace,
    prefix,
    rule,
    expiry: expiryChoice(search),
    filterError,
    from,
    filterQuery: filterSearch(search).toString(),
    page,
    activeJobs,
    catalog: catalogSummary(catalog),
    treeDelimiter: treeDelimiter ?? "/",
    recycle,
    windowRows: services.env.KVDECK_KEYS_WINDOW_ROWS,
    now: Date.now(),
  };
}
