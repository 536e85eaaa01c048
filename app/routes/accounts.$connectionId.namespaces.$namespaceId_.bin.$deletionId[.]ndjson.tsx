// A deletion's copies as NDJSON (the export format: kvdeck's import reads it back), in key order.
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { deletionNdjson } from "~/features/recycle/bin.server";
import { requireConnection } from "~/kv/guards.server";
import { contentDisposition } from "~/kv/keys.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { connection } = await requireConnection(context, params.connectionId);
  const { recycle } = getServices(context);
  const deletion = await recycle.deletion(params.deletionId ?? "");
  if (!deletion || deletion.connectionId !== connection.id || deletion.namespaceId !== params.namespaceId)
    throw data({ message: "This deletion is no longer in the recycle bin: it was emptied or its retention ended." }, { status: 404 });
  return new Response(deletionNdjson(recycle, deletion.id), {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Content-Disposition": contentDisposition(`kvdeck-deleted-${deletion.id.slice(0, 8)}.ndjson`),
      "Cache-Control": "no-store",
    },
  });
}
