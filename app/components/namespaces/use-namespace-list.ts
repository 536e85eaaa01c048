// The namespaces list's view state in the URL (filter `q`, `sort`, `dir`), the rows it selects,
// and a reload every second while a job runs on one of them, so its progress moves.
import { useRevalidator, useSearchParams } from "@remix-run/react";
import { useEffect, useMemo } from "react";
import type { SortDirection } from "~/components/sort-header";
import type { NamespaceRow } from "~/features/namespaces/types";

export type SortColumn = "title" | "id";

/** How often the list reloads while a namespace shows a running job. */
export const PROCESSING_REFRESH_MS = 1_000;

export function useNamespaceList(namespaces: NamespaceRow[], hiddenId: string | null) {
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

  useRevalidateWhileProcessing(namespaces.some((n) => n._meta?.status === "processing"));
  return { rows, sort, direction, filter, sortBy, setFilter };
}

function useRevalidateWhileProcessing(processing: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), PROCESSING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [processing, revalidator]);
}
