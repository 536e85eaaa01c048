import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Link,
  Outlet,
  useFetchers,
  useLoaderData,
  useNavigate,
  useNavigation,
  useParams,
  useSearchParams,
  useSubmit,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { outcomeOf, recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { useCan } from "~/auth/use-user";
import { loadKeyPage } from "~/cache/keys.server";
import { keyScope } from "~/cache/scopes";
import { clientMeta } from "~/cache/types";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "~/components/confirm-delete-dialog";
import { FetcherWatcher } from "~/components/fetcher-watcher";
import { KeyFormDialog } from "~/components/key-form-dialog";
import { KeyFilterForm } from "~/components/key-filter-form";
import { KeysTable, type KeyRow } from "~/components/keys-table";
import { RouteError } from "~/components/route-error";
import { useToast } from "~/components/toaster";
import { useKeyPages } from "~/components/use-key-pages";
import { Button } from "~/components/ui/button";
import { getServices } from "~/context.server";
import { summarize } from "~/kv/connections.server";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { deleteKeysSchema, dismissSchema, fieldErrors, putKeySchema } from "~/kv/key-forms";
import { deleteKeys, writeKey, type DeleteSummary } from "~/kv/key-mutations.server";
import { expiryChoice, filterSearch, filtersBeyondPrefix, ruleFromSearch } from "~/kv/key-filter";
import { compareKeys } from "~/kv/key-order";
import { listUnfinishedNamespaceJobs } from "~/jobs/api.server";
import { ActiveJobsBanner, NamespaceJobActions, SelectAllMatching } from "~/components/namespace-jobs";
import { BULK_MAX_KEYS } from "~/kv/limits";
import { compileRule, describeRule } from "~/kv/key-rule";
import { KeyName, VisibleText } from "~/components/key-name";
import { escapeInvisibles, formatCount } from "~/utils/format";
import { readForm } from "~/utils/form-data.server";

const FILTER_DEBOUNCE_MS = 300;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const namespaceId = params.namespaceId!;
  const search = new URL(request.url).searchParams;
  const { rule, error: filterError } = ruleFromSearch(search);
  const prefix = rule.prefix ?? "";
  const { cache } = getServices(context);
  const [namespace, page] = await fromUpstream(() =>
    Promise.all([
      upstream.getNamespace(namespaceId),
      loadKeyPage(cache, upstream, {
        accountId: connection.accountId,
        namespaceId,
        prefix,
        cursor: "",
        after: null,
        filter: rule,
        signal: request.signal,
      }),
    ]),
  );
  const activeJobs = await listUnfinishedNamespaceJobs({ services: getServices(context), connectionId: connection.id, namespaceId });
  return {
    connection: summarize(connection),
    namespace,
    prefix,
    rule,
    expiry: expiryChoice(search),
    filterError,
    filterQuery: filterSearch(search).toString(),
    page,
    activeJobs,
    now: Date.now(),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  await requireRole(context, "editor");
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const { cache, env } = getServices(context);
  const target = { cache, upstream, namespaceId: params.namespaceId!, ttlMs: env.KVDECK_OVERLAY_TTL_MS };
  const form = await readForm(request);
  const intent = form.get("intent");

  const where = `connection ${connection.id} / namespace ${params.namespaceId}`;
  if (intent === "delete") {
    const parsed = deleteKeysSchema.safeParse({ intent, names: form.getAll("name") });
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    const summary = await deleteKeys(target, parsed.data.names);
    await recordAudit(context, {
      action: "key.delete",
      target: parsed.data.names.length === 1 ? `${where} / key ${parsed.data.names[0]}` : where,
      count: summary.requested,
      outcome: outcomeOf(summary.succeeded, summary.failed.length),
      details: { succeeded: summary.succeeded, failed: summary.failed.slice(0, 100), opId: summary.opId },
    });
    return data({ intent, ok: true as const, summary });
  }
  if (intent === "put") {
    const parsed = putKeySchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      return data({ intent, ok: false as const, error: Object.values(fields)[0], fields }, { status: 400 });
    }
    const result = await writeKey(target, parsed.data);
    await recordAudit(context, {
      action: parsed.data.mode === "create" ? "key.create" : "key.update",
      target: `${where} / key ${parsed.data.name}`,
      count: 1,
      outcome: result.ok ? "ok" : "failed",
      details: result.ok ? { expiry: parsed.data.expiry } : { error: result.error },
    });
    return data({ intent, ...result }, { status: result.ok ? 200 : 400 });
  }
  if (intent === "dismiss") {
    const parsed = dismissSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    await cache.revert(parsed.data.opId, [parsed.data.name]);
    return data({ intent, ok: true as const, name: parsed.data.name, scope: keyScope(upstream.accountId, params.namespaceId!) });
  }
  return data({ intent, ok: false as const, error: "Unknown action." }, { status: 400 });
}

/** Opening a key, scrolling or changing keys must not re-list the first page: only a new filter does. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, formAction }) => {
  if (formMethod && formMethod !== "GET")
    return Boolean(formAction && !formAction.startsWith(currentUrl.pathname.split("/").slice(0, 5).join("/")));
  if (currentUrl.pathname.split("/").slice(0, 5).join("/") !== nextUrl.pathname.split("/").slice(0, 5).join("/")) return true;
  return filterSearch(currentUrl.searchParams).toString() !== filterSearch(nextUrl.searchParams).toString();
};

export interface KeyPanelContext {
  closeHref: string;
  base: string;
  canEdit: boolean;
  requestDelete: (name: string) => void;
  onSaved: (result: { ok: true; row: { name: string } }) => void;
}

type DeleteResult = { intent: "delete"; ok: true; summary: DeleteSummary } | { intent: "delete"; ok: false; error: string };

export default function NamespaceKeys() {
  const data = useLoaderData<typeof loader>();
  const { connection, namespace, prefix, rule, filterQuery } = data;
  const ruleMatches = useMemo(() => compileRule(rule), [rule]);
  const filtered = filtersBeyondPrefix(rule);
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const submit = useSubmit();
  const toast = useToast();
  const canEdit = useCan("editor");
  const canAdmin = useCan("admin");
  const base = `/accounts/${connection.id}/namespaces/${namespace.id}`;

  const { rows, setRows, cursor, loading, loadError, clearLoadError, loadMore, waiting, keepLooking } = useKeyPages(data.page, {
    listUrl: `${base}/list`,
    filterQuery,
  });
  const [nowMs, setNowMs] = useState(data.now);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState<string[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [deletingNamespace, setDeletingNamespace] = useState(false);
  const [pendingOps, setPendingOps] = useState<string[]>([]);
  const [jobStarts, setJobStarts] = useState<string[]>([]);
  /** Names each delete submission asked for, by fetcher key (its summary lists only failures). */
  const deleteRequests = useRef(new Map<string, Set<string>>());

  useEffect(() => setSelected(new Set()), [data.page]);

  useEffect(() => {
    setNowMs(Date.now());
    const timer = setInterval(() => setNowMs(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // What is in flight right now, straight from the submitted forms: rows change before the action answers.
  const fetchers = useFetchers();
  const pendingDeletes = useMemo(() => {
    const names = new Set<string>();
    for (const f of fetchers)
      if (f.formData?.get("intent") === "delete" && f.state !== "idle") for (const n of f.formData.getAll("name")) names.add(String(n));
    return names;
  }, [fetchers]);
  const pendingPuts = useMemo(() => {
    const puts = new Map<string, KeyRow>();
    for (const f of fetchers) {
      if (f.formData?.get("intent") !== "put" || f.state === "idle") continue;
      const name = String(f.formData.get("name"));
      const status = f.formData.get("mode") === "create" ? "creating" : "updating";
      puts.set(name, { name, _meta: clientMeta({ status, intent: status === "creating" ? "create" : "update" }) });
    }
    return puts;
  }, [fetchers]);

  const visibleRows = useMemo(() => {
    let out = rows.filter((r) => !pendingDeletes.has(r.name));
    if (pendingPuts.size) {
      const present = new Set(out.map((r) => r.name));
      out = out.map((r) => (pendingPuts.has(r.name) ? { ...r, _meta: pendingPuts.get(r.name)!._meta } : r));
      const last = out[out.length - 1]?.name;
      const inserts = [...pendingPuts.values()].filter(
        (r) => !present.has(r.name) && r.name.startsWith(prefix) && (!cursor || (last !== undefined && compareKeys(r.name, last) < 0)),
      );
      if (inserts.length) out = [...out, ...inserts].sort((a, b) => compareKeys(a.name, b.name));
    }
    return out;
  }, [rows, pendingDeletes, pendingPuts, prefix, cursor]);

  const onDeleteDone = useCallback(
    (key: string, result: DeleteResult | undefined) => {
      setPendingOps((ops) => ops.filter((k) => k !== key));
      const requested = deleteRequests.current.get(key) ?? new Set<string>();
      deleteRequests.current.delete(key);
      if (!result || !result.ok) {
        toast({
          variant: "error",
          title: "Delete failed",
          description: result?.error ?? "The request did not reach kvdeck. Nothing was deleted.",
        });
        return;
      }
      const { summary } = result;
      const failed = new Map(summary.failed.map((f) => [f.key, f.error]));
      setRows((all) =>
        all.flatMap((row) => {
          const error = failed.get(row.name);
          if (error !== undefined) {
            return [{ ...row, _meta: clientMeta({ status: "error", intent: "delete", opId: summary.opId, error }) }];
          }
          return requested.has(row.name) ? [] : [row];
        }),
      );
      if (summary.failed.length === 0) {
        toast({ variant: "success", title: `Deleted ${formatCount(summary.succeeded)} ${summary.succeeded === 1 ? "key" : "keys"}` });
      } else {
        toast({
          variant: "error",
          title: `Deleted ${formatCount(summary.succeeded)} of ${formatCount(summary.requested)} keys; ${formatCount(summary.failed.length)} failed`,
          details: summary.failed.map((f) => ({ label: f.key, detail: f.error })),
        });
      }
    },
    [setRows, toast],
  );

  const startDelete = (names: string[]) => {
    if (names.length > BULK_MAX_KEYS) {
      // More than one bulk request's worth: a durable job does it, with progress and a report.
      const form = new FormData();
      form.set("kind", "delete-selected");
      form.set("payload", JSON.stringify({ keys: names }));
      form.set("totalEstimate", String(names.length));
      const key = `job-${crypto.randomUUID()}`;
      submit(form, { method: "post", action: `${base}/jobs`, navigate: false, fetcherKey: key });
      setJobStarts((keys) => [...keys, key]);
      setSelected(new Set());
      return;
    }
    const key = `delete-${crypto.randomUUID()}`;
    deleteRequests.current.set(key, new Set(names));
    const form = new FormData();
    form.set("intent", "delete");
    for (const n of names) form.append("name", n);
    submit(form, { method: "post", action: base, navigate: false, fetcherKey: key });
    setPendingOps((ops) => [...ops, key]);
    setSelected((current) => {
      const next = new Set(current);
      for (const n of names) next.delete(n);
      return next;
    });
  };

  const dismiss = (row: KeyRow) => {
    if (!row._meta) return;
    submit(
      { intent: "dismiss", name: row.name, opId: row._meta.opId },
      { method: "post", action: base, navigate: false, fetcherKey: `dismiss-${row.name}` },
    );
    setRows((all) => all.map((r) => (r.name === row.name ? { ...r, _meta: undefined } : r)));
  };

  const onSaved = useCallback(
    (result: { ok: true; row: { name: string } }) => {
      const saved = result.row as KeyRow;
      setRows((all) => {
        const index = all.findIndex((r) => r.name === saved.name);
        if (index >= 0) return all.map((r, i) => (i === index ? saved : r));
        const last = all[all.length - 1]?.name;
        if (!ruleMatches(saved) || (cursor && (last === undefined || compareKeys(saved.name, last) > 0))) return all;
        return [...all, saved].sort((a, b) => compareKeys(a.name, b.name));
      });
      toast({ variant: "success", title: `Saved ${saved.name}` });
    },
    [setRows, toast, ruleMatches, cursor],
  );

  const query = filterQuery ? `?${filterQuery}` : "";
  const keyHref = useCallback(
    (name: string) => {
      const search = new URLSearchParams(filterQuery);
      search.set("name", name);
      return `${base}/key?${search}`;
    },
    [base, filterQuery],
  );
  const activeKey = searchParams.get("name");
  const filtering = navigation.state === "loading" && navigation.location.pathname === base;
  const debounce = useRef<ReturnType<typeof setTimeout>>();
  const selectedCount = selected.size;
  const confirmCount = confirming?.length ?? 0;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b px-4 py-3">
        <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
          <Link to={`/accounts/${connection.id}`} className="hover:text-foreground hover:underline">
            <VisibleText text={connection.name} />
          </Link>
          <span aria-hidden> / </span>
        </nav>
        <h1 className="min-w-0 break-words text-lg font-semibold">
          <VisibleText text={namespace.title} />
        </h1>
        {canEdit ? (
          <Button size="sm" variant="outline" onClick={() => setCreating(true)}>
            New key
          </Button>
        ) : null}
        <NamespaceJobActions
          action={`${base}/jobs`}
          rule={rule}
          namespaceId={namespace.id}
          connectionId={connection.id}
          canEdit={canEdit}
        />
        {canAdmin ? (
          <Button size="sm" variant="ghost" className="text-destructive" onClick={() => setDeletingNamespace(true)}>
            Delete namespace
          </Button>
        ) : null}
        <KeyFilterForm
          base={base}
          rule={rule}
          expiry={data.expiry}
          onPrefixTyped={(form) => {
            clearTimeout(debounce.current);
            debounce.current = setTimeout(() => submit(form, { replace: true }), FILTER_DEBOUNCE_MS);
          }}
          onSubmitted={() => clearTimeout(debounce.current)}
        />
      </div>
      <div className="flex min-h-9 flex-wrap items-center gap-3 border-b px-4 py-1.5 text-xs text-muted-foreground">
        <p role="status" aria-live="polite" className="min-w-0 break-all">
          <VisibleText
            text={
              filtering
                ? "Filtering…"
                : visibleRows.length === 0 && !cursor
                  ? ""
                  : `${formatCount(visibleRows.length)} ${filtered ? "matching " : ""}keys loaded${prefix ? ` with prefix “${prefix}”` : ""}${cursor ? " · more below" : " · all of them"}`
            }
          />
        </p>
        {canEdit && selectedCount === 0 && (visibleRows.length > 0 || cursor) ? (
          <div className="ml-auto">
            <SelectAllMatching key={filterQuery} action={`${base}/jobs`} rule={rule} namespaceTitle={namespace.title} />
          </div>
        ) : null}
        {selectedCount > 0 ? (
          <div role="toolbar" aria-label="Selection" className="ml-auto flex items-center gap-2 text-sm text-foreground">
            <span>{formatCount(selectedCount)} selected</span>
            <Button size="sm" variant="destructive" onClick={() => setConfirming([...selected])}>
              Delete {formatCount(selectedCount)} {selectedCount === 1 ? "key" : "keys"}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
              Clear selection
            </Button>
          </div>
        ) : null}
      </div>
      <ActiveJobsBanner jobs={data.activeJobs} />
      <div className="flex min-h-0 flex-1">
        <div className={`flex min-h-0 min-w-0 flex-1 flex-col ${filtering ? "opacity-60" : ""}`}>
          {visibleRows.length === 0 && !cursor ? (
            <div className="m-auto max-w-md p-8 text-center">
              <h2 className="font-medium">{prefix || filtered ? "No matching keys" : "This namespace is empty"}</h2>
              <p className="mt-1 break-words text-sm text-muted-foreground">
                <VisibleText text={prefix || filtered ? `No key matches ${describeRule(rule)}.` : "It holds no keys yet."} />
              </p>
            </div>
          ) : (
            <KeysTable
              rows={visibleRows}
              hasMore={Boolean(cursor) && !loadError && !waiting}
              loading={loading}
              onLoadMore={loadMore}
              keyHref={keyHref}
              onOpen={(name) => navigate(keyHref(name), { preventScrollReset: true })}
              activeKey={activeKey}
              nowMs={nowMs}
              caption={escapeInvisibles(`Keys of ${namespace.title}${prefix ? ` starting with ${prefix}` : ""}`)}
              selection={canEdit ? { selected, onChange: setSelected, onRequestDelete: () => setConfirming([...selected]) } : undefined}
              onRetry={canEdit ? (row) => startDelete([row.name]) : undefined}
              onDismiss={canEdit ? dismiss : undefined}
            />
          )}
          {data.filterError ? (
            <p role="alert" className="border-b bg-destructive/10 px-4 py-2 text-sm">
              The filter was not applied: {data.filterError}
            </p>
          ) : null}
          {waiting && !loadError ? (
            <div role="status" className="flex items-center justify-between gap-3 border-t px-4 py-2 text-sm">
              <span>The last pages held no {filtered ? "matching " : ""}keys to show. Reading on costs a request per 1,000 keys.</span>
              <Button size="sm" variant="outline" onClick={keepLooking}>
                Keep looking
              </Button>
            </div>
          ) : null}
          {loadError ? (
            <div role="alert" className="flex items-center justify-between gap-3 border-t bg-destructive/10 px-4 py-2 text-sm">
              <span>Could not load more keys. {loadError}</span>
              <Button size="sm" variant="outline" onClick={clearLoadError}>
                Retry
              </Button>
            </div>
          ) : null}
        </div>
        <Outlet
          context={
            {
              closeHref: `${base}${query}`,
              base,
              canEdit,
              requestDelete: (name: string) => setConfirming([name]),
              onSaved,
            } satisfies KeyPanelContext
          }
        />
      </div>
      <ConfirmDeleteDialog
        open={confirming !== null}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Delete ${formatCount(confirmCount)} ${confirmCount === 1 ? "key" : "keys"} from ${namespace.title}?`}
        description={
          <>
            <p>This cannot be undone.{confirmCount <= 5 && confirming ? "" : " Among them:"}</p>
            <ul className="mt-2 max-h-32 overflow-auto font-mono text-xs">
              {(confirming ?? []).slice(0, 5).map((n) => (
                <li key={n} className="flex min-w-0">
                  <KeyName name={n} truncate="middle" />
                </li>
              ))}
              {confirmCount > 5 ? <li>and {formatCount(confirmCount - 5)} more</li> : null}
            </ul>
          </>
        }
        actionLabel={`Delete ${formatCount(confirmCount)} ${confirmCount === 1 ? "key" : "keys"}`}
        confirmText={confirmCount >= TYPE_TO_CONFIRM_FROM ? String(confirmCount) : undefined}
        onConfirm={() => {
          if (confirming) startDelete(confirming);
          setConfirming(null);
        }}
      />
      <ConfirmDeleteDialog
        open={deletingNamespace}
        onOpenChange={setDeletingNamespace}
        title={`Delete namespace ${namespace.title}?`}
        description="Every key in it is deleted with it. This cannot be undone."
        actionLabel="Delete namespace"
        confirmText={namespace.title}
        onConfirm={() => {
          setDeletingNamespace(false);
          submit(
            { intent: "delete", id: namespace.id, confirmTitle: namespace.title, redirect: "1" },
            { method: "post", action: `/accounts/${connection.id}?index` },
          );
        }}
      />
      <KeyFormDialog open={creating} onOpenChange={setCreating} mode="create" action={base} onSaved={onSaved} />
      {pendingOps.map((key) => (
        <FetcherWatcher<DeleteResult> key={key} fetcherKey={key} onDone={onDeleteDone} />
      ))}
      {jobStarts.map((key) => (
        <FetcherWatcher<{ ok: true; job: { id: string } } | { ok: false; error: string }>
          key={key}
          fetcherKey={key}
          onDone={(done, result) => {
            setJobStarts((keys) => keys.filter((k) => k !== done));
            if (result?.ok) navigate(`/jobs/${result.job.id}`);
            else
              toast({
                variant: "error",
                title: "Could not start the delete",
                description: result?.error ?? "The request did not reach kvdeck.",
              });
          }}
        />
      ))}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${escapeInvisibles(data?.namespace.title ?? "Namespace")} · kvdeck` },
];

export function ErrorBoundary() {
  const params = useParams();
  return <RouteError backTo={`/accounts/${params.connectionId}`} backLabel="Back to namespaces" />;
}
