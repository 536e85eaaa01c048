// Progress events. The job row is the truth and any process can read it; within the process that
// runs a job, every write of its row is also published here, so a viewer in the same process
// hears of it at once. watchJob() combines both: in-process events when there are any, and a
// read of the row at least once a second, so it works whichever process runs the job.
import { EventEmitter } from "node:events";
import type { Job } from "~/db/schema";
import { toSnapshot } from "./snapshot.server";
import type { JobStore } from "./store.server";
import { type JobSnapshot, isFinished } from "./types";

export type JobListener = (snapshot: JobSnapshot) => void;

/** How often watchJob reads the row when no event came: under a second, reading included. */
export const WATCH_POLL_MS = 750;

export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(row: Job) {
    if (this.emitter.listenerCount(row.id) === 0 && this.emitter.listenerCount("*") === 0) return;
    const snapshot = toSnapshot(row);
    this.emitter.emit(row.id, snapshot);
    this.emitter.emit("*", snapshot);
  }

  /** Listens to one job (or to every job with `"*"`); returns the function that stops listening. */
  subscribe(jobId: string, listener: JobListener): () => void {
    this.emitter.on(jobId, listener);
    return () => this.emitter.off(jobId, listener);
  }
}

/**
 * Yields the job's snapshot now, then on every change this process hears of and at least every
 * `pollMs` (read from the database), until the job has finished (the final snapshot is yielded)
 * or `signal` aborts. Yields nothing when there is no such job.
 */
export async function* watchJob(
  store: JobStore,
  events: JobEvents,
  jobId: string,
  signal?: AbortSignal,
  pollMs = WATCH_POLL_MS,
): AsyncGenerator<JobSnapshot> {
  const first = await store.get(jobId);
  if (!first) return;
  let latest = toSnapshot(first);
  yield latest;
  if (isFinished(latest.state)) return;

  let pending: JobSnapshot | null = null;
  let wake: (() => void) | null = null;
  const unsubscribe = events.subscribe(jobId, (snapshot) => {
    pending = snapshot;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    while (!signal?.aborted) {
      if (!pending) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      if (signal?.aborted) return;
      let next: JobSnapshot | null = pending;
      pending = null;
      if (!next) {
        const row = await store.get(jobId);
        if (!row) return;
        next = toSnapshot(row);
      }
      // An event may be older than a row read already yielded.
      if (next.updatedAt < latest.updatedAt && !isFinished(next.state)) continue;
      latest = next;
      yield latest;
      if (isFinished(latest.state)) return;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}
