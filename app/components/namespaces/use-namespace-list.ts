// The namespaces list's view state in the URL (filter `q`, `sort`, `dir`), the rows it selects,
// and, while a job runs on some of them, their marks kept live so its progress moves.
import { useSearchParams } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState } from "react";
import type { OverlayMeta } from "~/cache/types";
import type { SortDirection } from "~/components/sort-header";
import type { NamespaceRow } from "~/features/namespaces/types";
import { type NamespaceActivity, namespaceTopic } from "~/live/protocol";
import { useLiveReload, useLiveTopics } from "~/live/use-live";

export type SortColumn = "title" | "id" | "keys" | "age";

const SORT_COLUMNS: SortColumn[] = ["title", "id", "keys", "age"];

/** A row's value under a column; namespaces without a catalog sort below every indexed one. */
function sortValue(row: NamespaceRow, column: SortColumn): string | number {
  if (column === "keys") return row.catalog ? row.catalog.keyCount : -1;
  // Age: a younger catalog (a later listing) is "less old"; one still being built is the oldest catalog; none sorts last.
  if (column === "age") return row.catalog ? -(row.catalog.asOf ? Date.parse(row.catalog.asOf) : 0) : Number.POSITIVE_INFINITY;
  return row[column];
}

/** At most this many rows' marks are watched (the rows of one page showing a running job). */
const MAX_WATCHED_ROWS = 100;

export function useNamespaceList(connectionId: number, loaded: NamespaceRow[], hiddenId: string | null) {
  const namespaces = useJobActivity(connectionId, loaded);
  const [searchParams, setSearchParams] = useSearchParams();
  const sort: SortColumn = SORT_COLUMNS.find((c) => c === searchParams.get("sort")) ?? "title";
  const direction: SortDirection = searchParams.get("dir") === "desc" ? "desc" : "asc";
  const filter = searchParams.get("q") ?? "";

  const rows = useMemo(() => {
    const needle = filter.toLowerCase();
    const matching = namespaces.filter(
      (n) => n.id !== hiddenId && (!needle || n.title.toLowerCase().includes(needle) || n.id.includes(needle)),
    );
    const sorted = [...matching].sort((a, b) => {
      const [x, y] = [sortValue(a, sort), sortValue(b, sort)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return direction === "desc" ? sorted.reverse() : sorted;
  }, [namespaces, filter, sort, direction, hiddenId]);

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
  const setFilter = (q: string) => setParam({ q });

  return { rows, sort, direction, filter, sortBy, setFilter };
}

/**
 * The loader's rows with their running jobs' marks as they stand: while a row shows a job, the list
 * watches its `namespace:<connectionId>/<id>` topic on the browser's one live connection (the cache
 * and the job store, at least once a second; the upstream's listing is not asked again, nor its
 * request budget spent). When one of those jobs no longer runs (or another operation holds its row),
 * the list reloads once in full, and the loader settles its row; it reloads too when the connection
 * comes back after a drop.
 */
function useJobActivity(connectionId: number, namespaces: NamespaceRow[]): NamespaceRow[] {
  const [live, setLive] = useState<{ from: NamespaceRow[]; activity: Record<string, OverlayMeta> } | null>(null);
  const current = useRef(namespaces);
  useEffect(() => {
    current.current = namespaces;
  });
  const reload = useLiveReload();
  // useLiveTopics goes by the topics' names: a new array of the same ones changes nothing.
  const topics = namespaces
    .filter((n) => n._meta?.status === "processing")
    .slice(0, MAX_WATCHED_ROWS)
    .map((n) => namespaceTopic(connectionId, n.id));

  useLiveTopics<NamespaceActivity>(topics, (topic, meta) => {
    const id = topic.slice(namespaceTopic(connectionId, "").length);
    const from = current.current;
    const shown = from.find((n) => n.id === id)?._meta?.opId;
    // A job that stopped, or another one's mark: the loader's answer is needed.
    if (!meta || meta.opId !== shown) return reload();
    setLive((prev) => ({ from, activity: { ...(prev?.from === from ? prev.activity : {}), [id]: meta } }));
  });

  return useMemo(() => {
    if (live?.from !== namespaces) return namespaces;
    return namespaces.map((n) => {
      const meta = live.activity[n.id];
      return meta && n._meta?.opId === meta.opId ? { ...n, _meta: meta } : n;
    });
  }, [namespaces, live]);
}
