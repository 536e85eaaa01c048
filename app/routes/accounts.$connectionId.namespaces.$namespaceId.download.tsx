// A key's whole value as a file.
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { contentDisposition, safeFileName } from "~/kv/keys.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { upstream } = await requireConnection(context, params.connectionId);
  const name = new URL(request.url).searchParams.get("name");
  if (!name) throw data({ message: "No key was named." }, { status: 400 });
  const value = await fromUpstream(() => upstream.streamValue(params.namespaceId!, name));
  if (!value) throw data({ message: "This key has no value upstream." }, { status: 404 });
  const headers = new Headers({
    "Content-Type": "application/octet-stream",
    "Content-Disposition": contentDisposition(safeFileName(name)),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
  });
  if (value.size !== null) headers.set("Content-Length", String(value.size));
  return new Response(value.body, { headers });
}
