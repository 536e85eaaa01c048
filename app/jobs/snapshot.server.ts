// A job row as the pages see it (app/jobs/types.ts): dates as ISO strings, progress and ETA derived.
import type { Job } from "~/db/schema";
import type { JobSnapshot } from "./types";

export function toSnapshot(row: Job): JobSnapshot {
  const total = row.totalEstimate;
  const running = row.state === "running";
  const progress = total !== null ? (total === 0 ? 1 : Math.min(1, row.processed / total)) : row.state === "succeeded" ? 1 : null;
  const remaining = total !== null ? Math.max(0, total - row.processed) : null;
  return {
    id: row.id,
    kind: row.kind,
    connectionId: row.connectionId,
    namespaceId: row.namespaceId,
    state: row.state,
    pauseRequested: row.pauseRequested,
    dryRun: row.dryRun,
    payload: row.payload,
    phase: row.phase,
    counters: {
      scanned: row.scanned,
      matched: row.matched,
      processed: row.processed,
      succeeded: row.succeeded,
      failed: row.failed,
      skipped: row.skipped,
    },
    totalEstimate: total,
    progress,
    rate: row.rate,
    etaSeconds: running && remaining !== null && row.rate && row.rate > 0 ? Math.ceil(remaining / row.rate) : null,
    pagesScanned: row.pagesScanned,
    runningMs: row.runningMs,
    averageRate: row.averageRate,
    requestsUsed: row.requestsUsed,
    attempts: row.attempts,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    error: row.error,
    result: row.result ?? null,
  };
}
