// One further page of keys, as JSON, for the keys table's infinite scroll.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireConnection, upstreamFailure } from "~/kv/guards.server";
import { UpstreamError, statusForKind } from "~/kv/errors";
import { listKeyPage } from "~/kv/keys.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { upstream } = await requireConnection(context, params.connectionId);
  const search = new URL(request.url).searchParams;
  try {
    const page = await listKeyPage(upstream, params.namespaceId!, {
      prefix: search.get("prefix") ?? "",
      cursor: search.get("cursor") ?? "",
      signal: request.signal,
    });
    return Response.json(page, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof UpstreamError) return Response.json(upstreamFailure(error), { status: statusForKind[error.kind] });
    throw error;
  }
}
