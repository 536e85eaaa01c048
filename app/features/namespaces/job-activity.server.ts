// A namespace with a running job shows it in the namespaces list: in the process that runs jobs,
// every job event (one snapshot per write of the job's row, app/jobs/events.server.ts) is mirrored
// into the account's namespace-list scope of the resource cache. The job's namespace gets a
// `processing` mark when it runs, its stage, message and progress as it advances, and the mark is
// removed when the job stops running (succeeded, failed, cancelled, paused or queued again).
//
// The mark lives a little longer than the job's lease and every write extends it: a process that
// dies leaves a mark that expires by itself (the merge then shows it as stalled) about when another
// runner may take the job over, and that runner's mirror marks the row again under the same op id.
//
// One row, one mark: a row another operation marks (a rename, a delete, another job) is left to
// it. With several jobs on one namespace the first one to run shows; the next shows once it ends.
import type { ResourceCache } from "~/cache/resource-cache.server";
import { namespaceScope } from "~/cache/scopes";
import { describeProgress, KIND_LABELS } from "~/components/job-progress";
import type { JobEvents } from "~/jobs/events.server";
import type { JobSnapshot } from "~/jobs/types";
import type { ConnectionRegistry } from "~/kv/connections.server";

/** How much longer than the job's lease its mark lives without a write. */
export const JOB_ACTIVITY_MARGIN_MS = 10_000;

const OP_PREFIX = "job-activity:";

/** The op id of a job's mark in the namespace list (not the job's id: kinds mark keys under that). */
export const jobActivityOpId = (jobId: string) => `${OP_PREFIX}${jobId}`;

/** The job a namespace-list mark stands for, or null when another kind of operation made it. */
export const jobOfActivity = (opId: string): string | null => (opId.startsWith(OP_PREFIX) ? opId.slice(OP_PREFIX.length) : null);

/** A job works on its namespace while it runs (or finishes its batches before cancelling). Dry runs change nothing. */
export const showsActivity = (job: Pick<JobSnapshot, "state" | "dryRun">) =>
  !job.dryRun && (job.state === "running" || job.state === "cancelling");

/** What the namespace's row says about the job: kind as stage, the job page's progress text, 0..1 or null. */
export function activityOf(job: JobSnapshot): { stage: string; message: string; progress: number | null } {
  const { value, text } = describeProgress(job);
  const message = job.state === "cancelling" ? `Cancelling · ${text}` : job.pauseRequested ? `Pausing · ${text}` : text;
  return { stage: KIND_LABELS[job.kind], message, progress: value === null ? null : Math.max(0, Math.min(1, value / 100)) };
}

export interface JobActivityDeps {
  events: JobEvents;
  cache: ResourceCache;
  connections: Pick<ConnectionRegistry, "get">;
  /** The jobs' lease (KVDECK_JOB_LEASE_MS). */
  leaseMs: number;
  log?: (line: string) => void;
}

export interface JobActivityMirror {
  /** Stops listening and waits for the writes in flight. */
  stop(): Promise<void>;
  /** Waits for the writes in flight (tests). */
  settled(): Promise<void>;
}

interface Tracked {
  /** The newest snapshot not yet written; older ones are skipped (only the latest matters). */
  next: JobSnapshot | null;
  working: Promise<void> | null;
  scope: string | null;
}

export function mirrorJobActivity(deps: JobActivityDeps): JobActivityMirror {
  const { cache } = deps;
  const ttlMs = deps.leaseMs + JOB_ACTIVITY_MARGIN_MS;
  const log = deps.log ?? ((line) => console.log(line));
  const tracked = new Map<string, Tracked>();

  const scopeOf = async (entry: Tracked, job: JobSnapshot) => {
    if (entry.scope) return entry.scope;
    const connection = await deps.connections.get(job.connectionId);
    entry.scope = connection ? namespaceScope(connection.accountId) : null;
    return entry.scope;
  };

  const write = async (entry: Tracked, job: JobSnapshot) => {
    const opId = jobActivityOpId(job.id);
    if (!showsActivity(job)) {
      await cache.rollbackOperation(opId);
      return;
    }
    const scope = await scopeOf(entry, job);
    if (!scope) return;
    const activity = activityOf(job);
    if (await cache.updateMetadata(scope, job.namespaceId, opId, { status: "processing", error: null, ...activity, extendTtlMs: ttlMs }))
      return;
    const held = await cache.getOne(scope, job.namespaceId);
    // A stalled mark of another job (its runner died and nobody cleared it) holds nothing any more.
    if (held && !(held.status === "error" && jobOfActivity(held.opId) !== null)) return;
    await cache.markAsProcessing(scope, { id: job.namespaceId }, { opId, ttlMs, ...activity });
  };

  const drain = async (jobId: string, entry: Tracked) => {
    let last: JobSnapshot | null = null;
    for (let job = entry.next; job; job = entry.next) {
      entry.next = null;
      last = job;
      try {
        await write(entry, job);
      } catch (error) {
        log(`kvdeck: job ${job.id}: its namespace's activity could not be shown: ${error}`);
      }
    }
    entry.working = null;
    // Forgotten once its mark is cleared: a job that runs again starts over.
    if (last && !showsActivity(last)) tracked.delete(jobId);
  };

  const unsubscribe = deps.events.subscribe("*", (job) => {
    let entry = tracked.get(job.id);
    if (!entry) {
      // A job this mirror never marked and that is not running leaves nothing to clear.
      if (!showsActivity(job)) return;
      entry = { next: null, working: null, scope: null };
      tracked.set(job.id, entry);
    }
    entry.next = job;
    entry.working ??= drain(job.id, entry);
  });

  const settled = async () => {
    for (;;) {
      const working = [...tracked.values()].map((e) => e.working).filter((w): w is Promise<void> => w !== null);
      if (working.length === 0) return;
      await Promise.all(working);
    }
  };

  return {
    settled,
    async stop() {
      unsubscribe();
      await settled();
    },
  };
}
