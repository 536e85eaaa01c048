// The keys a namespace page has loaded so far, and loading the next page of them (the list
// resource route merges the cache's marks over each page). A new first page (another filter)
// starts over and abandons a page still in flight.
//
// The rows are a window: past WINDOW_ROWS, each page read lets go of as many rows at the start.
// A browser cannot scroll a million rows (an element stops growing near 33.5 million pixels: row
// 906,000 at 37 px), and the memory would grow without end; the table keeps its place by the key
// in view, not by pixel (keys-table.tsx moves the scroll position up by the rows let go).
import { useCallback, useEffect, useRef, useState } from "react";
import type { UpstreamFailure } from "~/kv/guards.server";
import type { KeyRow } from "./row-states";

export interface KeyPage {
  keys: KeyRow[];
  cursor: string;
  pageEnd: string | null;
}

/**
 * Answers in a row that brought no visible key (a sparse filter, or a purge hiding everything)
 * before loading stops on its own and waits for the person: each answer costs upstream requests.
 */
export const MAX_EMPTY_ANSWERS = 3;

/** The most rows kept loaded (7.4 million pixels of table at 37 px a row): KVDECK_KEYS_WINDOW_ROWS's default. */
export const WINDOW_ROWS = 200_000;

interface Pages {
  /** The first page these rows start from. */
  first: KeyPage;
  rows: KeyRow[];
  /** Rows read before `rows[0]` and let go (the window moved on). */
  skipped: number;
  cursor: string;
  pageEnd: string | null;
  loading: boolean;
  loadError: string | null;
  emptyAnswers: number;
}

const startFrom = (first: KeyPage): Pages => ({
  first,
  rows: first.keys,
  skipped: 0,
  cursor: first.cursor,
  pageEnd: first.pageEnd,
  loading: false,
  loadError: null,
  emptyAnswers: 0,
});

/** The rows after a page was read: appended, and as many let go at the start as go past `windowRows`. */
export function appendPage(pages: Pick<Pages, "rows" | "skipped">, keys: KeyRow[], windowRows = WINDOW_ROWS) {
  const rows = pages.rows.concat(keys);
  const over = Math.max(0, rows.length - windowRows);
  return { rows: over ? rows.slice(over) : rows, skipped: pages.skipped + over };
}

export function useKeyPages(
  first: KeyPage,
  { listUrl, filterQuery, windowRows = WINDOW_ROWS }: { listUrl: string; filterQuery: string; windowRows?: number },
) {
  const [stored, setPages] = useState(() => startFrom(first));
  // A new first page replaces everything loaded after the old one (set while rendering, so the old
  // rows never show under the new filter).
  const pages = stored.first === first ? stored : startFrom(first);
  if (pages !== stored) setPages(pages);
  const inFlight = useRef<AbortController | null>(null);
  useEffect(
    () => () => {
      inFlight.current?.abort();
      inFlight.current = null;
    },
    [first],
  );

  const { cursor, pageEnd } = pages;
  const loadMore = useCallback(async () => {
    if (!cursor || inFlight.current) return;
    const controller = new AbortController();
    inFlight.current = controller;
    const update = (patch: (p: Pages) => Partial<Pages>) => {
      if (!controller.signal.aborted) setPages((p) => (p.first === first ? { ...p, ...patch(p) } : p));
    };
    update(() => ({ loading: true, loadError: null }));
    try {
      const query = new URLSearchParams(filterQuery);
      query.set("cursor", cursor);
      if (pageEnd !== null) query.set("after", pageEnd);
      const response = await fetch(`${listUrl}?${query}`, { signal: controller.signal, headers: { accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) {
        const failure = (body as Partial<UpstreamFailure>).upstreamError;
        throw new Error(failure ? `${failure.title}: ${failure.detail}` : `The server answered ${response.status}.`);
      }
      const page = body as KeyPage;
      update((p) => ({
        ...appendPage(p, page.keys, windowRows),
        emptyAnswers: page.keys.length === 0 ? p.emptyAnswers + 1 : 0,
        cursor: page.cursor,
        pageEnd: page.pageEnd,
      }));
    } catch (error) {
      update(() => ({ loadError: error instanceof Error ? error.message : String(error) }));
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        update(() => ({ loading: false }));
      }
    }
  }, [first, listUrl, cursor, filterQuery, pageEnd, windowRows]);

  return {
    rows: pages.rows,
    /** Rows let go before the first of `rows`. */
    skipped: pages.skipped,
    /** Back to the first page (the rows let go are read again as the person scrolls). */
    restart: () => {
      inFlight.current?.abort();
      inFlight.current = null;
      setPages(startFrom(first));
    },
    cursor,
    loading: pages.loading,
    loadError: pages.loadError,
    clearLoadError: () => setPages((p) => ({ ...p, loadError: null })),
    loadMore,
    /** True when several answers in a row found nothing to show: loading waits for `keepLooking`. */
    waiting: Boolean(cursor) && pages.emptyAnswers >= MAX_EMPTY_ANSWERS,
    keepLooking: () => setPages((p) => ({ ...p, emptyAnswers: 0 })),
  };
}
