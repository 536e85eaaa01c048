// A job's snapshot kept live over server-sent events. When the stream drops and comes back, the
// caller's `onResync` runs (a loader revalidation) so nothing missed in between stays stale.
import { useEffect, useRef, useState } from "react";
import { isFinished, type JobSnapshot } from "~/jobs/types";

export function useLiveJob(
  initial: JobSnapshot | null,
  { onResync, onEnd }: { onResync?: () => void; onEnd?: (job: JobSnapshot) => void } = {},
) {
  const [job, setJob] = useState(initial);
  const [connected, setConnected] = useState(false);
  const callbacks = useRef({ onResync, onEnd });
  callbacks.current = { onResync, onEnd };

  useEffect(() => setJob(initial), [initial]);
  useEffect(() => {
    if (!initial || isFinished(initial.state)) return;
    const source = new EventSource(`/jobs/${initial.id}/events`);
    let dropped = false;
    let latest: JobSnapshot = initial;
    source.addEventListener("open", () => {
      setConnected(true);
      if (dropped) callbacks.current.onResync?.();
    });
    source.addEventListener("job", (event) => {
      latest = JSON.parse((event as MessageEvent).data) as JobSnapshot;
      setJob(latest);
    });
    source.addEventListener("end", () => {
      source.close();
      setConnected(false);
      callbacks.current.onEnd?.(latest);
    });
    source.addEventListener("error", () => {
      dropped = true;
      setConnected(false);
    });
    return () => source.close();
  }, [initial?.id, initial?.state]); // eslint-disable-line react-hooks/exhaustive-deps
  return { job, connected };
}
