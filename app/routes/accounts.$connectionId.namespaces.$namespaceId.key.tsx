// The key panel (app/components/keys/key-panel.tsx) as a child route of the namespace page: the
// URL names the open key, so a link or a reload opens it again.
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useOutletContext, useParams } from "@remix-run/react";
import { KeyPanel } from "~/components/keys/key-panel";
import type { KeyPanelContext } from "~/components/keys/panel-context";
import { RouteError } from "~/components/route-error";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { readKeyDetail, VALUE_PREVIEW_BYTES } from "~/kv/keys.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const name = new URL(request.url).searchParams.get("name");
  if (!name) throw data({ message: "No key was named." }, { status: 400 });
  const detail = await fromUpstream(() => readKeyDetail(upstream, params.namespaceId!, name));
  return { detail, connectionId: connection.id, now: Date.now(), previewBytes: VALUE_PREVIEW_BYTES };
}

export default function KeyPanelRoute() {
  const { detail, connectionId, now, previewBytes } = useLoaderData<typeof loader>();
  const panel = useOutletContext<KeyPanelContext>();
  const params = useParams();
  const downloadHref = `/accounts/${connectionId}/namespaces/${params.namespaceId}/download?${new URLSearchParams({ name: detail.name })}`;
  return <KeyPanel detail={detail} now={now} previewBytes={previewBytes} downloadHref={downloadHref} panel={panel} />;
}

export function ErrorBoundary() {
  const params = useParams();
  return (
    <aside className="fixed inset-0 z-20 overflow-auto bg-background p-4 lg:static lg:w-[32rem] lg:border-l">
      <RouteError backTo={`/accounts/${params.connectionId}/namespaces/${params.namespaceId}`} backLabel="Close" />
    </aside>
  );
}
