import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useCan } from "~/auth/use-user";
import { ConfirmDeleteDialog } from "~/components/confirm-delete-dialog";
import { VisibleText } from "~/components/key-name";
import { NamespacesTable } from "~/components/namespaces/namespaces-table";
import { TitleDialog } from "~/components/namespaces/title-dialog";
import { useNamespaceList } from "~/components/namespaces/use-namespace-list";
import { RouteError } from "~/components/route-error";
import { useToast } from "~/components/toaster";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { getServices } from "~/context.server";
import { namespaceListAction } from "~/features/namespaces/actions.server";
import { loadNamespaces } from "~/features/namespaces/list.server";
import type { NamespaceRow } from "~/features/namespaces/types";
import { summarize } from "~/kv/connections.server";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { escapeInvisibles } from "~/utils/format";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const namespaces = await fromUpstream(() => loadNamespaces(getServices(context), upstream, connection.id));
  return { connection: summarize(connection), namespaces, now: Date.now() };
}

export const action = (args: ActionFunctionArgs) => namespaceListAction(args);

export default function Namespaces() {
  const { connection, namespaces, now } = useLoaderData<typeof loader>();
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<NamespaceRow | null>(null);
  const [deleting, setDeleting] = useState<NamespaceRow | null>(null);
  const deleter = useFetcher<{ ok: boolean; error?: string }>();
  const toast = useToast();
  const canAdmin = useCan("admin");
  const pendingDelete = deleter.state !== "idle" ? String(deleter.formData?.get("id")) : null;
  const list = useNamespaceList(connection.id, namespaces, pendingDelete);

  useEffect(() => {
    if (deleter.state === "idle" && deleter.data) {
      toast(
        deleter.data.ok
          ? { variant: "success", title: "Namespace deleted" }
          : { variant: "error", title: "Delete failed", description: deleter.data.error },
      );
    }
  }, [deleter.state, deleter.data, toast]);

  return (
    <div className="mx-auto w-full max-w-5xl px-4 py-6">
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Namespaces</h1>
          <p className="text-sm text-muted-foreground">
            <VisibleText text={connection.name} /> · <span className="break-all font-mono">{connection.accountId}</span>{" "}
            <Badge variant="secondary">{connection.kind === "local" ? "local KV API" : "Cloudflare"}</Badge>
          </p>
        </div>
        <div className="flex w-full items-center gap-2 sm:w-auto">
          <label className="flex w-full max-w-xs flex-col gap-1 text-sm sm:w-auto">
            <span className="sr-only">Filter namespaces</span>
            <Input
              type="search"
              placeholder="Filter by title or id"
              defaultValue={list.filter}
              onChange={(e) => list.setFilter(e.currentTarget.value)}
            />
          </label>
          {canAdmin ? <Button onClick={() => setCreating(true)}>New namespace</Button> : null}
        </div>
      </div>
      {namespaces.length === 0 ? (
        <p className="rounded-lg border p-8 text-center text-muted-foreground">This account has no namespaces yet.</p>
      ) : (
        <NamespacesTable
          now={now}
          connection={connection}
          rows={list.rows}
          sort={list.sort}
          direction={list.direction}
          onSort={list.sortBy}
          filter={list.filter}
          canAdmin={canAdmin}
          onRename={setRenaming}
          onDelete={setDeleting}
        />
      )}
      <TitleDialog open={creating} onOpenChange={setCreating} heading="New namespace" submitLabel="Create namespace" intent="create" />
      <TitleDialog
        open={renaming !== null}
        onOpenChange={(open) => !open && setRenaming(null)}
        heading={`Rename ${escapeInvisibles(renaming?.title ?? "")}`}
        submitLabel="Rename"
        intent="rename"
        id={renaming?.id}
        initial={renaming?.title}
      />
      <ConfirmDeleteDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete namespace ${deleting?.title ?? ""}?`}
        description="Every key in it is deleted with it. This cannot be undone."
        actionLabel="Delete namespace"
        confirmText={deleting?.title ?? ""}
        onConfirm={() => {
          if (deleting) deleter.submit({ intent: "delete", id: deleting.id, confirmTitle: deleting.title }, { method: "post" });
          setDeleting(null);
        }}
      />
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Namespaces · ${data?.connection.name ?? "kvdeck"}` }];

export function ErrorBoundary() {
  return <RouteError />;
}
