import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";
import type { OverlayMeta } from "~/cache/types";
import { ConfirmDeleteDialog } from "~/components/confirm-delete-dialog";
import { RouteError } from "~/components/route-error";
import { SortHeader, type SortDirection } from "~/components/sort-header";
import { StatusBadge } from "~/components/status-badge";
import { VisibleText } from "~/components/key-name";
import { escapeInvisibles } from "~/utils/format";
import { useToast } from "~/components/toaster";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { useCan } from "~/auth/use-user";
import { getServices } from "~/context.server";
import { summarize } from "~/kv/connections.server";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { createNamespaceSchema, deleteNamespaceSchema, renameNamespaceSchema } from "~/kv/namespace-forms";
import { createNamespace, deleteNamespace, loadNamespaces, renameNamespace } from "~/features/namespaces/mutations.server";
import { readForm } from "~/utils/form-data.server";

type SortColumn = "title" | "id";
type NamespaceRow = { id: string; title: string; _meta?: OverlayMeta };

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const merged = await fromUpstream(() => loadNamespaces(getServices(context).cache, upstream));
  return { connection: summarize(connection), namespaces: merged.items as NamespaceRow[] };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  await requireRole(context, "admin");
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const { cache, env } = getServices(context);
  const target = { cache, upstream, ttlMs: env.KVDECK_OVERLAY_TTL_MS };
  const form = Object.fromEntries(await readForm(request));

  switch (form.intent) {
    case "create": {
      const parsed = createNamespaceSchema.safeParse(form);
      if (!parsed.success) return data({ ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
      const result = await createNamespace(target, parsed.data.title);
      await recordAudit(context, {
        action: "namespace.create",
        target: `connection ${connection.id} / namespace ${result.ok ? result.namespace.id : parsed.data.title}`,
        outcome: result.ok ? "ok" : "failed",
        details: { title: parsed.data.title, ...(result.ok ? {} : { error: result.error }) },
      });
      return data(result, { status: result.ok ? 200 : 400 });
    }
    case "rename": {
      const parsed = renameNamespaceSchema.safeParse(form);
      if (!parsed.success) return data({ ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
      const result = await renameNamespace(target, parsed.data.id, parsed.data.title);
      await recordAudit(context, {
        action: "namespace.rename",
        target: `connection ${connection.id} / namespace ${parsed.data.id}`,
        outcome: result.ok ? "ok" : "failed",
        details: { title: parsed.data.title, ...(result.ok ? {} : { error: result.error }) },
      });
      return data(result, { status: result.ok ? 200 : 400 });
    }
    case "delete": {
      const parsed = deleteNamespaceSchema.safeParse(form);
      if (!parsed.success) return data({ ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
      const namespace = await fromUpstream(() => upstream.getNamespace(parsed.data.id));
      // The server checks the typed title too: a forged request cannot skip the confirmation.
      if (parsed.data.confirmTitle !== namespace.title) {
        return data({ ok: false as const, error: "The typed title does not match the namespace's title." }, { status: 400 });
      }
      const result = await deleteNamespace(target, namespace);
      await recordAudit(context, {
        action: "namespace.delete",
        target: `connection ${connection.id} / namespace ${namespace.id}`,
        outcome: result.ok ? "ok" : "failed",
        details: { title: namespace.title, ...(result.ok ? {} : { error: result.error }) },
      });
      if (result.ok && form.redirect === "1") throw redirect(`/accounts/${connection.id}`);
      return data(result, { status: result.ok ? 200 : 400 });
    }
  }
  return data({ ok: false as const, error: "Unknown action." }, { status: 400 });
}

export default function Namespaces() {
  const { connection, namespaces } = useLoaderData<typeof loader>();
  const [searchParams, setSearchParams] = useSearchParams();
  const sort: SortColumn = searchParams.get("sort") === "id" ? "id" : "title";
  const direction: SortDirection = searchParams.get("dir") === "desc" ? "desc" : "asc";
  const filter = searchParams.get("q") ?? "";
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<NamespaceRow | null>(null);
  const [deleting, setDeleting] = useState<NamespaceRow | null>(null);
  const deleter = useFetcher<{ ok: boolean; error?: string }>();
  const toast = useToast();
  const canAdmin = useCan("admin");

  useEffect(() => {
    if (deleter.state === "idle" && deleter.data) {
      toast(
        deleter.data.ok
          ? { variant: "success", title: "Namespace deleted" }
          : { variant: "error", title: "Delete failed", description: deleter.data.error },
      );
    }
  }, [deleter.state, deleter.data, toast]);

  const pendingDelete = deleter.state !== "idle" ? String(deleter.formData?.get("id")) : null;
  const rows = useMemo(() => {
    const needle = filter.toLowerCase();
    const matching = namespaces.filter(
      (n) => n.id !== pendingDelete && (!needle || n.title.toLowerCase().includes(needle) || n.id.includes(needle)),
    );
    const sorted = [...matching].sort((a, b) => (a[sort] < b[sort] ? -1 : a[sort] > b[sort] ? 1 : 0));
    return direction === "desc" ? sorted.reverse() : sorted;
  }, [namespaces, filter, sort, direction, pendingDelete]);

  const setParam = (changes: Record<string, string | null>) =>
    setSearchParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null || v === "") next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: true, preventScrollReset: true },
    );
  const sortBy = (column: SortColumn) => setParam({ sort: column, dir: column === sort && direction === "asc" ? "desc" : "asc" });

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
              defaultValue={filter}
              onChange={(e) => setParam({ q: e.currentTarget.value })}
            />
          </label>
          {canAdmin ? <Button onClick={() => setCreating(true)}>New namespace</Button> : null}
        </div>
      </div>
      {namespaces.length === 0 ? (
        <p className="rounded-lg border p-8 text-center text-muted-foreground">This account has no namespaces yet.</p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border">
          <table className="w-full text-sm">
            <caption className="sr-only">Namespaces of {escapeInvisibles(connection.name)}</caption>
            <thead className="bg-muted/60 text-left">
              <tr>
                <SortHeader label="Title" active={sort === "title"} direction={direction} onSort={() => sortBy("title")} />
                <SortHeader
                  label="ID"
                  active={sort === "id"}
                  direction={direction}
                  onSort={() => sortBy("id")}
                  className="hidden sm:table-cell"
                />
                <th scope="col" className="px-3 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {rows.map((n) => (
                <tr key={n.id} className="hover:bg-accent/60" data-status={n._meta?.status}>
                  <td className="px-3 py-2">
                    {n._meta?.status === "creating" && n.id.startsWith("pending-") ? (
                      <VisibleText text={n.title} className="break-all font-medium" />
                    ) : (
                      <Link
                        to={`/accounts/${connection.id}/namespaces/${n.id}`}
                        className="break-all font-medium text-primary hover:underline"
                      >
                        <VisibleText text={n.title} />
                      </Link>
                    )}
                    {n._meta ? (
                      <span className="ml-2">
                        <StatusBadge meta={n._meta} />
                      </span>
                    ) : null}
                    {n._meta?.error ? (
                      <p className="text-xs text-destructive">
                        <VisibleText text={n._meta.error} />
                      </p>
                    ) : null}
                  </td>
                  <td className="hidden px-3 py-2 font-mono text-xs text-muted-foreground sm:table-cell">
                    {n.id.startsWith("pending-") ? "—" : n.id}
                  </td>
                  <td className="px-3 py-2 text-right whitespace-nowrap">
                    {canAdmin ? (
                      <>
                        <Button size="sm" variant="ghost" onClick={() => setRenaming(n)} aria-label={`Rename ${escapeInvisibles(n.title)}`}>
                          Rename
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-destructive"
                          onClick={() => setDeleting(n)}
                          aria-label={`Delete ${escapeInvisibles(n.title)}`}
                        >
                          Delete
                        </Button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={3} className="px-3 py-6 text-center text-muted-foreground">
                    No namespace matches “{filter}”.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
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

function TitleDialog({
  open,
  onOpenChange,
  heading,
  submitLabel,
  intent,
  id,
  initial,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  heading: string;
  submitLabel: string;
  intent: "create" | "rename";
  id?: string;
  initial?: string;
}) {
  const fetcher = useFetcher<{ ok: boolean; error?: string }>();
  const toast = useToast();
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) {
      toast({ variant: "success", title: intent === "create" ? "Namespace created" : "Namespace renamed" });
      onOpenChange(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.state, fetcher.data]);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogTitle>{heading}</DialogTitle>
        <DialogDescription>Titles are unique within the account.</DialogDescription>
        <fetcher.Form method="post" className="grid gap-3">
          <input type="hidden" name="intent" value={intent} />
          {id ? <input type="hidden" name="id" value={id} /> : null}
          <label className="grid gap-1 text-sm">
            <span>Title</span>
            <Input
              name="title"
              defaultValue={initial}
              required
              maxLength={512}
              autoComplete="off"
              aria-invalid={Boolean(fetcher.data && !fetcher.data.ok)}
            />
          </label>
          {fetcher.data && !fetcher.data.ok ? (
            <p role="alert" className="text-sm text-destructive">
              {fetcher.data.error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={fetcher.state !== "idle"}>
              {submitLabel}
            </Button>
          </div>
        </fetcher.Form>
      </DialogContent>
    </Dialog>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Namespaces · ${data?.connection.name ?? "kvdeck"}` }];

export function ErrorBoundary() {
  return <RouteError />;
}
