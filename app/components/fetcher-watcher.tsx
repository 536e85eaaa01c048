// Observes one keyed fetcher (submitted with useSubmit({navigate: false, fetcherKey})) and reports
// its result once, before the browser paints, so a finished optimistic change never flashes back.
import { useFetcher } from "@remix-run/react";
import { useEffect, useLayoutEffect, useRef } from "react";

const useIsomorphicLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

export function FetcherWatcher<T>({ fetcherKey, onDone }: { fetcherKey: string; onDone: (key: string, data: T | undefined) => void }) {
  const fetcher = useFetcher<T>({ key: fetcherKey });
  const started = useRef(false);
  const reported = useRef(false);
  if (fetcher.state !== "idle") started.current = true;
  useIsomorphicLayoutEffect(() => {
    if (started.current && fetcher.state === "idle" && !reported.current) {
      reported.current = true;
      onDone(fetcherKey, fetcher.data);
    }
  }, [fetcher.state, fetcher.data, fetcherKey, onDone]);
  return null;
}
