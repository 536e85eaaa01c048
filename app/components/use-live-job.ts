// A job's snapshot kept live through the browser's one live connection (its `job:<id>` topic,
// app/live). The loader's snapshot (`initial`) shows until a newer one arrives; a new `initial`
// replaces an older live one. When the shared connection comes back after a drop, the caller's
// `onResync` runs (a loader revalidation) so nothing missed in between stays stale; `onEnd` runs
// once when the live snapshot says the job has finished.
import { useEffect, useRef } from "react";
import { type JobSnapshot, isFinished } from "~/jobs/types";
import { jobTopic } from "~/live/protocol";
import { useLiveResync, useLiveStatus, useLiveTopic } from "~/live/use-live";

export function useLiveJob(
  initial: JobSnapshot | null,
  { onResync, onEnd }: { onResync?: () => void; onEnd?: (job: JobSnapshot) => void } = {},
) {
  const topic = initial && !isFinished(initial.state) ? jobTopic(initial.id) : null;
  const { data: live } = useLiveTopic<JobSnapshot>(topic);
  const status = useLiveStatus();
  useLiveResync(topic ? onResync : undefined);

  const current = live && initial && live.id === initial.id && live.updatedAt >= initial.updatedAt ? live : null;
  const latest = useRef(onEnd);
  useEffect(() => {
    latest.current = onEnd;
  });
  const ended = useRef<string | null>(null);
  useEffect(() => {
    if (!current) return;
    if (!isFinished(current.state)) {
      ended.current = null;
      return;
    }
    if (ended.current === current.id) return;
    ended.current = current.id;
    latest.current?.(current);
  }, [current]);

  return { job: current ?? initial, status };
}
