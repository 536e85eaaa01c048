// A namespace's keys page: the head, the loaded keys with their pending changes, selection and
// deleting, and the key panel (the child route) beside the table. What it hands the table stays
// the same between renders (memoised callbacks, the selection as a store), so selecting, the
// cursor and the delete dialog do not render the rows again.
import { Outlet, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useCan } from "~/auth/use-user";
import { filtersBeyondPrefix } from "~/kv/key-filter";
import { compileRule, describeRule } from "~/kv/key-rule";
import type { loader } from "~/routes/accounts.$connectionId.namespaces.$namespaceId/route";
import { escapeInvisibles, formatCount } from "~/utils/format";
import { VisibleText } from "../key-name";
import { CatalogStatus } from "../catalog/catalog-status";
import { ActiveJobsBanner } from "../jobs/active-jobs-banner";
import { Button } from "../ui/button";
import { DeleteKeysDialog } from "./delete-keys-dialog";
import { KeysHeader } from "./keys-header";
import { KeysStatusBar } from "./keys-status-bar";
import { KeysTable } from "./keys-table";
import { PrefixTree } from "./prefix-tree";
import type { KeyPanelContext } from "./panel-context";
import type { KeyRow } from "./row-states";
import { createSelectionStore } from "./selection-store";
import { useKeyPages } from "./use-key-pages";
import { useKeyChanges, useRowStates } from "./use-row-states";

const CLOCK_TICK_MS = 30_000;

type PageSource = ReturnType<typeof useLoaderData<typeof loader>>["page"]["source"];

/** Where the rows came from: the catalog (how old; still being built?) or the upstream (what it cost). */
function sourceNote(source: PageSource): string {
  if (source.from === "catalog") {
    if (source.building) return "the catalog is being built: results so far, no upstream request";
    const asOf = source.asOf
      ? new Date(source.asOf)
          .toISOString()
          .replace("T", " ")
          .replace(/\.\d{3}Z$/, " UTC")
      : "its first listing";
    return `from the catalog as of ${asOf}, no upstream request`;
  }
  const pages = source.pages;
  return `listed live: the first answer read ${formatCount(pages)} ${pages === 1 ? "page" : "pages"} (${formatCount(pages)} upstream ${pages === 1 ? "request" : "requests"})`;
}

const withLive = (filterQuery: string) => {
  const search = new URLSearchParams(filterQuery);
  search.set("source", "live");
  return search.toString();
};

export function NamespaceKeys() {
  const data = useLoaderData<typeof loader>();
  const { connection, namespace, prefix, rule, filterQuery } = data;
  const base = `/accounts/${connection.id}/namespaces/${namespace.id}`;
  const matches = useMemo(() => compileRule(rule), [rule]);
  const filtered = filtersBeyondPrefix(rule);
  const canEdit = useCan("editor");
  const isAdmin = useCan("admin");
  const navigate = useNavigate();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const nowMs = useClock(data.now);

  const pages = useKeyPages(data.page, { listUrl: `${base}/list`, filterQuery, windowRows: data.windowRows });
  const hasMore = Boolean(pages.cursor);
  const rows = useRowStates({ base, first: data.page, rows: pages.rows, prefix, hasMore, matches });
  const changes = useKeyChanges(base);

  // A selection belongs to the listing it was made in: a new first page starts with none.
  const [picked, setPicked] = useState(() => ({ page: data.page, store: createSelectionStore() }));
  const current = picked.page === data.page ? picked : { page: data.page, store: createSelectionStore() };
  if (current !== picked) setPicked(current);
  const selection = current.store;
  const [confirming, setConfirming] = useState<string[] | null>(null);

  const { deleteKeys: submitDelete, dismiss } = changes;
  const copyByDefault = data.recycle.copyByDefault;
  const deleteKeys = useCallback(
    (names: string[], keepCopy = copyByDefault) => {
      submitDelete(names, keepCopy);
      selection.remove(names);
    },
    [submitDelete, selection, copyByDefault],
  );
  const confirmSelected = useCallback(() => setConfirming(selection.names()), [selection]);
  const closeConfirm = useCallback(() => setConfirming(null), []);
  const retry = useCallback((row: KeyRow) => deleteKeys([row.name]), [deleteKeys]);
  const keyHref = useCallback(
    (name: string) => {
      const search = new URLSearchParams(filterQuery);
      search.set("name", name);
      return `${base}/key?${search}`;
    },
    [base, filterQuery],
  );
  const onOpen = useCallback((name: string) => navigate(keyHref(name), { preventScrollReset: true }), [navigate, keyHref]);
  const tableSelection = useMemo(
    () => (canEdit ? { store: selection, onRequestDelete: confirmSelected } : undefined),
    [canEdit, selection, confirmSelected],
  );
  const panel = useMemo(
    (): KeyPanelContext => ({
      closeHref: `${base}${filterQuery ? `?${filterQuery}` : ""}`,
      base,
      canEdit,
      requestDelete: (name: string) => setConfirming([name]),
    }),
    [base, filterQuery, canEdit],
  );
  const filtering = navigation.state === "loading" && navigation.location.pathname === base;
  const empty = rows.length === 0 && !hasMore;
  const count =
    pages.skipped > 0 ? `${formatCount(pages.skipped + 1)}–${formatCount(pages.skipped + rows.length)} of the` : formatCount(rows.length);
  const loaded = `${count} ${filtered ? "matching " : ""}keys loaded${prefix ? ` with prefix “${prefix}”` : ""}${data.from ? ` from “${data.from}”` : ""}`;
  const source = sourceNote(data.page.source);
  const verifyLiveHref = data.page.source.from === "catalog" ? `${base}?${withLive(filterQuery)}` : undefined;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <KeysHeader
        connection={connection}
        namespace={namespace}
        base={base}
        rule={rule}
        expiry={data.expiry}
        copyByDefault={data.recycle.copyByDefault}
      />
      <KeysStatusBar
        text={filtering ? "Filtering…" : empty ? "" : `${loaded}${hasMore ? " · more below" : " · all of them"}`}
        source={source}
        verifyLiveHref={verifyLiveHref}
        base={base}
        rule={rule}
        filterQuery={filterQuery}
        namespaceTitle={namespace.title}
        recycle={data.recycle}
        offerSelectAll={canEdit && !empty}
        selection={selection}
        onDeleteSelected={confirmSelected}
      />
      <CatalogStatus base={base} catalog={data.catalog} canEdit={canEdit} isAdmin={isAdmin} />
      <ActiveJobsBanner jobs={data.activeJobs} />
      <div className="flex min-h-0 flex-1 max-md:flex-col">
        {data.catalog ? <PrefixTree base={base} from={data.from} initialDelimiter={data.treeDelimiter} /> : null}
        <div className={`flex min-h-0 min-w-0 flex-1 flex-col ${filtering ? "opacity-60" : ""}`}>
          {empty ? (
            <div className="m-auto max-w-md p-8 text-center">
              <h2 className="font-medium">{prefix || filtered ? "No matching keys" : "This namespace is empty"}</h2>
              <p className="mt-1 break-words text-sm text-muted-foreground">
                <VisibleText text={prefix || filtered ? `No key matches ${describeRule(rule)}.` : "It holds no keys yet."} />
              </p>
            </div>
          ) : (
            <KeysTable
              rows={rows}
              skipped={pages.skipped}
              hasMore={hasMore && !pages.loadError && !pages.waiting}
              loading={pages.loading}
              onLoadMore={pages.loadMore}
              keyHref={keyHref}
              onOpen={onOpen}
              activeKey={searchParams.get("name")}
              nowMs={nowMs}
              caption={escapeInvisibles(`Keys of ${namespace.title}${prefix ? ` starting with ${prefix}` : ""}`)}
              selection={tableSelection}
              onRetry={canEdit ? retry : undefined}
              onDismiss={canEdit ? dismiss : undefined}
            />
          )}
          {pages.skipped > 0 ? (
            <div role="status" className="flex items-center justify-between gap-3 border-t px-4 py-2 text-sm">
              <span>
                The first {formatCount(pages.skipped)} keys read were let go: the table keeps {formatCount(data.windowRows)} keys around
                where you are.
              </span>
              <Button size="sm" variant="outline" onClick={pages.restart}>
                Back to the first key
              </Button>
            </div>
          ) : null}
          {data.filterError ? (
            <p role="alert" className="border-b bg-destructive/10 px-4 py-2 text-sm">
              The filter was not applied: {data.filterError}
            </p>
          ) : null}
          {pages.waiting && !pages.loadError ? (
            <div role="status" className="flex items-center justify-between gap-3 border-t px-4 py-2 text-sm">
              <span>
                The last pages held no {filtered ? "matching " : ""}keys to show.{" "}
                {data.page.source.from === "catalog"
                  ? "Reading on searches the catalog further (no upstream request)."
                  : "Reading on costs a request per 1,000 keys."}
              </span>
              <Button size="sm" variant="outline" onClick={pages.keepLooking}>
                Keep looking
              </Button>
            </div>
          ) : null}
          {pages.loadError ? (
            <div role="alert" className="flex items-center justify-between gap-3 border-t bg-destructive/10 px-4 py-2 text-sm">
              <span>Could not load more keys. {pages.loadError}</span>
              <Button size="sm" variant="outline" onClick={pages.clearLoadError}>
                Retry
              </Button>
            </div>
          ) : null}
        </div>
        <Outlet context={panel} />
      </div>
      <DeleteKeysDialog
        names={confirming}
        namespaceTitle={namespace.title}
        recycle={data.recycle}
        onClose={closeConfirm}
        onConfirm={deleteKeys}
      />
    </div>
  );
}

/** The time relative expiries are counted from: the loader's, then the browser's every half minute. */
function useClock(initial: number) {
  const [now, setNow] = useState(initial);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}
