// A namespace's recycle bin (app/components/recycle/recycle-bin.tsx): its deletions, one opened
// with its keys; restores and emptying (app/features/recycle/bin-action.server.ts).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useParams } from "@remix-run/react";
import { RecycleBin } from "~/components/recycle/recycle-bin";
import { RouteError } from "~/components/route-error";
import { getServices } from "~/context.server";
import { changeBin } from "~/features/recycle/bin-action.server";
import { loadBin } from "~/features/recycle/bin.server";
import { MAX_INLINE_RESTORE } from "~/features/recycle/restore.server";
import { summarize } from "~/kv/connections.server";
import { requireConnection } from "~/kv/guards.server";
import { escapeInvisibles } from "~/utils/format";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const namespaceId = params.namespaceId!;
  const services = getServices(context);
  // The bin outlives its namespace: a namespace the upstream no longer has is shown by its id.
  const [namespace, bin] = await Promise.all([
    upstream.getNamespace(namespaceId).catch(() => ({ id: namespaceId, title: namespaceId })),
    loadBin(services.recycle, connection.id, namespaceId, new URL(request.url).searchParams),
  ]);
  return {
    connection: summarize(connection),
    namespace: { id: namespaceId, title: namespace.title },
    bin,
    inlineMax: MAX_INLINE_RESTORE,
    now: Date.now(),
  };
}

export const action = changeBin;

export default RecycleBin;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Recycle bin of ${escapeInvisibles(data?.namespace.title ?? "namespace")} · kvdeck` },
];

export function ErrorBoundary() {
  const params = useParams();
  return <RouteError backTo={`/accounts/${params.connectionId}`} backLabel="Back to namespaces" />;
}
