// A job's snapshot kept live over server-sent events. When the stream drops and comes back, the
// caller's `onResync` runs (a loader revalidation) so nothing missed in between stays stale. A new
// `initial` (the loader's) replaces the live one; a new state of it opens the stream again.
import { useEffect, useRef, useState } from "react";
import { isFinished, type JobSnapshot } from "~/jobs/types";

export function useLiveJob(
  initial: JobSnapshot | null,
  { onResync, onEnd }: { onResync?: () => void; onEnd?: (job: JobSnapshot) => void } = {},
) {
  const [job, setJob] = useState(initial);
  const [shown, setShown] = useState(initial);
  if (initial !== shown) {
    // Adjusting state to a new prop while rendering (React's pattern; no effect, no extra paint).
    setShown(initial);
    setJob(initial);
  }
  const [connected, setConnected] = useState(false);
  const latest = useRef({ initial, onResync, onEnd });
  useEffect(() => {
    latest.current = { initial, onResync, onEnd };
  });

  const streamId = initial && !isFinished(initial.state) ? initial.id : null;
  const streamState = initial?.state;
  useEffect(() => {
    if (!streamId) return;
    const source = new EventSource(`/jobs/${streamId}/events`);
    let dropped = false;
    let last = latest.current.initial!;
    source.addEventListener("open", () => {
      setConnected(true);
      if (dropped) latest.current.onResync?.();
    });
    source.addEventListener("job", (event) => {
      last = JSON.parse((event as MessageEvent).data) as JobSnapshot;
      setJob(last);
    });
    source.addEventListener("end", () => {
      source.close();
      setConnected(false);
      latest.current.onEnd?.(last);
    });
    source.addEventListener("error", () => {
      dropped = true;
      setConnected(false);
    });
    return () => source.close();
  }, [streamId, streamState]);
  return { job, connected };
}
