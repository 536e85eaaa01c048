// The keys a namespace page has loaded so far, and loading the next page of them (the list
// resource route merges the cache's marks over each page). A new first page (another filter)
// starts over and abandons a page still in flight.
import { useCallback, useEffect, useRef, useState } from "react";
import type { UpstreamFailure } from "~/kv/guards.server";
import type { KeyRow } from "./keys-table";

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

export function useKeyPages(first: KeyPage, { listUrl, filterQuery }: { listUrl: string; filterQuery: string }) {
  const [rows, setRows] = useState<KeyRow[]>(first.keys);
  const [cursor, setCursor] = useState(first.cursor);
  const [pageEnd, setPageEnd] = useState(first.pageEnd);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [emptyAnswers, setEmptyAnswers] = useState(0);
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => {
    inFlight.current?.abort();
    inFlight.current = null;
    setRows(first.keys);
    setCursor(first.cursor);
    setPageEnd(first.pageEnd);
    setLoading(false);
    setLoadError(null);
    setEmptyAnswers(0);
  }, [first]);

  const loadMore = useCallback(async () => {
    if (!cursor || inFlight.current) return;
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    setLoadError(null);
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
      if (controller.signal.aborted) return;
      setRows((previous) => previous.concat(page.keys));
      setEmptyAnswers((n) => (page.keys.length === 0 ? n + 1 : 0));
      setCursor(page.cursor);
      setPageEnd(page.pageEnd);
    } catch (error) {
      if (!controller.signal.aborted) setLoadError(error instanceof Error ? error.message : String(error));
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        setLoading(false);
      }
    }
  }, [listUrl, cursor, filterQuery, pageEnd]);

  return {
    rows,
    setRows,
    cursor,
    loading,
    loadError,
    clearLoadError: () => setLoadError(null),
    loadMore,
    /** True when several answers in a row found nothing to show: loading waits for `keepLooking`. */
    waiting: Boolean(cursor) && emptyAnswers >= MAX_EMPTY_ANSWERS,
    keepLooking: () => setEmptyAnswers(0),
  };
}
