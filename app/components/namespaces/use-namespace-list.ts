// The namespaces list's view state in the URL (filter `q`, `sort`, `dir`), the rows it selects,
// and, while a job runs on some of them, their marks refreshed every second so its progress moves.
import { useRevalidator, useSearchParams } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState } from "react";
import type { OverlayMeta } from "~/cache/types";
import type { SortDirection } from "~/components/sort-header";
import type { NamespaceRow } from "~/features/namespaces/types";

export type SortColumn = "title" | "id";

/** How often the list refreshes its rows' running jobs. */
export const PROCESSING_REFRESH_MS = 1_000;

export function useNamespaceList(connectionId: number, loaded: NamespaceRow[], hiddenId: string | null) {
  const namespaces = useJobActivity(connectionId, loaded);
  const [searchParams, setSearchParams] = useSearchParams();
  const sort: SortColumn = searchParams.get("sort") === "id" ? "id" : "title";
  const direction: SortDirection = searchParams.get("dir") === "desc" ? "desc" : "asc";
  const filter = searchParams.get("q") ?? "";

  const rows = useMemo(() => {
    const needle = filter.toLowerCase();
    const matching = namespaces.filter(
      (n) => n.id !== hiddenId && (!needle || n.title.toLowerCase().includes(needle) || n.id.includes(needle)),
    );
    const sorted = [...matching].sort((a, b) => (a[sort] < b[sort] ? -1 : a[sort] > b[sort] ? 1 : 0));
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
 * polls /accounts/:connectionId/namespace-activity (the cache and the job store; the upstream's
 * listing is not asked again, nor its request budget spent) every PROCESSING_REFRESH_MS. When one
 * of those jobs no longer runs (or another operation holds its row), the list reloads once in full,
 * and the loader settles its row.
 */
function useJobActivity(connectionId: number, namespaces: NamespaceRow[]): NamespaceRow[] {
  const [polled, setPolled] = useState<{ from: NamespaceRow[]; activity: Record<string, OverlayMeta | null> } | null>(null);
  const revalidator = useRevalidator();
  const current = useRef({ namespaces, revalidator });
  useEffect(() => {
    current.current = { namespaces, revalidator };
  });
  const processing = JSON.stringify(namespaces.filter((n) => n._meta?.status === "processing").map((n) => n.id));

  useEffect(() => {
    const ids = JSON.parse(processing) as string[];
    if (ids.length === 0) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      // An answer to a poll sent before the list last reloaded is older than the list: it is dropped.
      const from = current.current.namespaces;
      try {
        const query = new URLSearchParams(ids.map((id) => ["id", id]));
        const response = await fetch(`/accounts/${connectionId}/namespace-activity?${query}`, { headers: { Accept: "application/json" } });
        if (live && response.ok && response.headers.get("Content-Type")?.includes("application/json")) {
          const { activity } = (await response.json()) as { activity: Record<string, OverlayMeta | null> };
          const { revalidator } = current.current;
          if (!live) return;
          const shown = new Map(from.map((n) => [n.id, n._meta?.opId]));
          // A job that stopped, or another one's mark: the loader's answer is needed.
          if (ids.some((id) => !activity[id] || activity[id].opId !== shown.get(id))) {
            if (revalidator.state === "idle") revalidator.revalidate();
          } else setPolled({ from, activity });
        }
      } catch {
        // Offline or mid-restart: the next poll tries again.
      }
      if (live) timer = setTimeout(poll, PROCESSING_REFRESH_MS);
    };
    timer = setTimeout(poll, PROCESSING_REFRESH_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [connectionId, processing]);

  return useMemo(() => {
    if (polled?.from !== namespaces) return namespaces;
    return namespaces.map((n) => {
      const meta = polled.activity[n.id];
      return meta && n._meta?.opId === meta.opId ? { ...n, _meta: meta } : n;
    });
  }, [namespaces, polled]);
}
