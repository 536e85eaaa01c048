// What the pages call to start, steer and watch jobs. The contract is docs/jobs.md.
// Every function takes one object with the process's `services`; none needs the job to run in
// this process (the job row is the truth), but a runner here reacts at once.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { csvRow } from "~/audit/csv";
import type { AppServices } from "~/context.server";
import { toSnapshot } from "./snapshot.server";
import { exportPath, saveUpload } from "./files.server";
import { watchJob as watch } from "./events.server";
import { jobKinds } from "./kinds/index.server";
import { JobInputError } from "./kinds/kind.server";
import type { ExportPayload } from "./payloads";
import { JobStore } from "./store.server";
import {
  type ExportResult,
  JOB_KINDS,
  type JobErrorEntry,
  type JobKind,
  type JobSnapshot,
  type JobState,
  type PlanResult,
  UNFINISHED_STATES,
  canCancel,
  canPause,
  canResume,
} from "./types";

export { JobInputError } from "./kinds/kind.server";

/** No such job. */
export class JobNotFound extends Error {
  readonly name = "JobNotFound";
  constructor(readonly jobId: string) {
    super(`No job ${jobId}.`);
  }
}

/** The job is not in a state that allows the request (e.g. resuming a job that succeeded). */
export class JobStateError extends Error {
  readonly name = "JobStateError";
  constructor(
    readonly job: JobSnapshot,
    action: string,
  ) {
    super(`A ${job.state} job cannot be ${action}.`);
  }
}

type Services = Pick<AppServices, "jobs" | "connections">;
/** Who started a job: a signed-in user, a name, or nobody (scripts, tests). */
export type JobUser = { username: string } | string | null;

export interface StartJobInput {
  services: Services;
  user: JobUser;
  connectionId: number;
  namespaceId: string;
  kind: JobKind;
  /** Validated with the kind's schema (app/jobs/payloads.ts); problems throw JobInputError. */
  payload: unknown;
  dryRun?: boolean;
  /** The expected number of keys, e.g. the count of the dry run that preceded this job. */
  totalEstimate?: number | null;
}

/** Validates, stores and queues a job; returns its first snapshot (state `queued`). */
export async function startJob(input: StartJobInput): Promise<JobSnapshot> {
  const { services, kind } = input;
  if (!JOB_KINDS.includes(kind)) throw new JobInputError(`Unknown job kind "${kind}".`);
  const definition = jobKinds[kind];
  const parsed = definition.payload.safeParse(input.payload);
  if (!parsed.success) {
    const flat = parsed.error.flatten();
    throw new JobInputError(flat.formErrors[0] ?? parsed.error.issues[0]?.message ?? "The job's settings are not valid.", flat.fieldErrors);
  }
  const connection = await services.connections.get(input.connectionId);
  if (!connection) throw new JobInputError("The connection does not exist.", { connectionId: ["No such connection"] });
  const deps = services.jobs.deps;
  const prepared = await definition.prepare?.({
    deps,
    payload: parsed.data,
    connection,
    namespaceId: input.namespaceId,
    dryRun: Boolean(input.dryRun),
  });
  const id = crypto.randomUUID();
  const createdBy = input.user === null ? null : typeof input.user === "string" ? input.user : input.user.username;

  // One transaction: a runner never sees the job before the keys it needs are stored.
  const row = await services.jobs.store.db.transaction(async (tx) => {
    const store = new JobStore(tx);
    const inserted = await store.insert({
      id,
      kind,
      connectionId: connection.id,
      namespaceId: input.namespaceId,
      payload: definition.toStored ? definition.toStored(parsed.data) : parsed.data,
      dryRun: Boolean(input.dryRun),
      createdBy,
      totalEstimate: input.totalEstimate ?? prepared?.totalEstimate ?? null,
    });
    await definition.persist?.(store, id, parsed.data);
    return inserted;
  });
  services.jobs.runner?.wake();
  return toSnapshot(row);
}

/**
 * Pauses a queued or running job. One nobody runs is `paused` at once; a running one stays
 * `running` (with `pauseRequested`) until its batches in flight have finished and its checkpoint
 * is saved, then becomes `paused` (within about a second), and its counters no longer move.
 */
export async function pauseJob({ services, jobId }: { services: Services; jobId: string }): Promise<JobSnapshot> {
  const row = await services.jobs.store.requestPause(jobId);
  if (!row) throw await refusal(services, jobId, "paused", canPause);
  services.jobs.runner?.nudge(jobId);
  return toSnapshot(row);
}

/**
 * Queues a paused (or failed) job again; it continues from its checkpoint. A pause still pending
 * (the job has not stopped yet) is withdrawn.
 */
export async function resumeJob({ services, jobId }: { services: Services; jobId: string }): Promise<JobSnapshot> {
  const row = await services.jobs.store.requestResume(jobId);
  if (!row) throw await refusal(services, jobId, "resumed", canResume);
  services.jobs.runner?.wake();
  return toSnapshot(row);
}

/**
 * Cancels a queued, running or paused job. Without a live runner it is cancelled at once;
 * otherwise it is `cancelling` until its batches in flight have finished.
 */
export async function cancelJob({ services, jobId }: { services: Services; jobId: string }): Promise<JobSnapshot> {
  const row = await services.jobs.store.requestCancel(jobId);
  if (!row) throw await refusal(services, jobId, "cancelled", canCancel);
  if (row.state === "cancelled") await jobKinds[row.kind].cleanup?.(services.jobs.deps, row, "cancelled");
  else services.jobs.runner?.nudge(jobId);
  return toSnapshot(row);
}

export async function getJob({ services, jobId }: { services: Services; jobId: string }): Promise<JobSnapshot | null> {
  const row = await services.jobs.store.get(jobId);
  return row ? toSnapshot(row) : null;
}

/**
 * Newest first, optionally of one namespace, in some states, only dry runs (`dryRun: true`) or
 * none (`false`). Every filter is in the query. `before` (a createdAt) pages further back.
 */
export async function listJobs({
  services,
  limit = 50,
  state,
  before,
  connectionId,
  namespaceId,
  dryRun,
}: {
  services: Services;
  limit?: number;
  state?: JobState | readonly JobState[];
  before?: string;
  connectionId?: number;
  namespaceId?: string;
  dryRun?: boolean;
}): Promise<JobSnapshot[]> {
  const rows = await services.jobs.store.list({
    limit: Math.min(Math.max(1, limit), 500),
    state,
    before: before ? new Date(before) : undefined,
    connectionId,
    namespaceId,
    dryRun,
  });
  return rows.map(toSnapshot);
}

/**
 * The unfinished jobs a person started on one namespace (no dry runs), newest first: its page's
 * banner. Filtered in the query (index jobs_namespace_state), however many jobs other namespaces have.
 */
export function listUnfinishedNamespaceJobs({
  services,
  connectionId,
  namespaceId,
  limit = 20,
}: {
  services: Services;
  connectionId: number;
  namespaceId: string;
  limit?: number;
}): Promise<JobSnapshot[]> {
  return listJobs({ services, connectionId, namespaceId, state: UNFINISHED_STATES, dryRun: false, limit });
}

/** A page of the per-key error report, oldest first, and how many errors there are. */
export async function listJobErrors({
  services,
  jobId,
  limit = 100,
  offset = 0,
}: {
  services: Services;
  jobId: string;
  limit?: number;
  offset?: number;
}): Promise<{ errors: JobErrorEntry[]; total: number }> {
  const store = services.jobs.store;
  const [rows, total] = await Promise.all([
    store.errors.list(jobId, { limit: Math.min(Math.max(1, limit), 1000), offset: Math.max(0, offset) }),
    store.errors.count(jobId),
  ]);
  return { errors: rows.map((r) => ({ key: r.key, error: r.error, at: r.at.toISOString() })), total };
}

const CSV_PAGE = 1000;

/** The whole error report as CSV (`key,error,at`), read a page at a time as the stream is consumed. */
export function errorReportCsv({ services, jobId }: { services: Services; jobId: string }): ReadableStream<Uint8Array> {
  const store = services.jobs.store;
  const encoder = new TextEncoder();
  let after = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow(["key", "error", "at"])));
    },
    async pull(controller) {
      const rows = await store.errors.after(jobId, after, CSV_PAGE);
      if (rows.length === 0) return controller.close();
      after = rows[rows.length - 1].id;
      controller.enqueue(encoder.encode(rows.map((r) => csvRow([r.key, r.error, r.at])).join("")));
    },
  });
}

/**
 * A plan's keys as NDJSON (`{"key":"…"}` a line), in key order, read a page at a time as the
 * stream is consumed. NDJSON rather than CSV: every name comes back byte for byte (a CSV defuses
 * names a spreadsheet would read as formulas). Empty for a job that recorded no keys.
 */
export function planKeysNdjson({ services, jobId }: { services: Services; jobId: string }): ReadableStream<Uint8Array> {
  const store = services.jobs.store;
  const encoder = new TextEncoder();
  let after: string | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const rows = await store.keys.page(jobId, "planned", after, CSV_PAGE);
      if (rows.length === 0) return controller.close();
      after = rows[rows.length - 1].key;
      controller.enqueue(encoder.encode(rows.map((r) => `${JSON.stringify({ key: r.key })}\n`).join("")));
    },
  });
}

/** Whether a job is a plan whose keys can be downloaded (a succeeded dry run that recorded them). */
export function isPlan(job: JobSnapshot): boolean {
  return job.dryRun && job.state === "succeeded" && Boolean((job.result as PlanResult | null)?.dryRun?.plan);
}

/** The file of a finished export: where it is, its size, and a download name. Null until it exists. */
export async function exportFile({
  services,
  jobId,
}: {
  services: Services;
  jobId: string;
}): Promise<{ path: string; size: number; name: string; contentType: string } | null> {
  const row = await services.jobs.store.get(jobId);
  if (!row || row.kind !== "export" || row.state !== "succeeded" || row.dryRun) return null;
  const format = (row.payload as ExportPayload).format;
  const file = exportPath(services.jobs.deps.dataDir, row.id, format);
  const stat = await fs.promises.stat(file).catch(() => null);
  if (!stat) return null;
  const result = row.result as ExportResult | null;
  const stamp = row.createdAt.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return {
    path: file,
    size: stat.size,
    name: `kvdeck-export-${row.namespaceId.slice(0, 12)}-${stamp}${path.extname(result?.file ?? file)}`,
    contentType: format === "ndjson" ? "application/x-ndjson" : "application/json",
  };
}

/**
 * Stores an uploaded import file (streamed to disk) and returns the id to put in an import job's
 * payload. Throws UploadTooLarge past `maxBytes`.
 */
export async function saveImportUpload({
  services,
  body,
  maxBytes,
}: {
  services: Services;
  /** A request body, a file stream, or chunks. */
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  maxBytes?: number;
}): Promise<{ uploadId: string; bytes: number }> {
  return saveUpload(services.jobs.deps.dataDir, body, maxBytes);
}

/**
 * Snapshots of a job as it changes, at least one a second while it is not finished, ending with
 * its final snapshot (or when `signal` aborts). The live `job:<id>` topic's producer (app/live/sources.server.ts).
 */
export function watchJob({
  services,
  jobId,
  signal,
}: {
  services: Services;
  jobId: string;
  signal?: AbortSignal;
}): AsyncGenerator<JobSnapshot> {
  return watch(services.jobs.store, services.jobs.events, jobId, signal);
}

async function refusal(services: Services, jobId: string, action: string, allowed: (state: JobState) => boolean): Promise<Error> {
  const row = await services.jobs.store.get(jobId);
  if (!row) return new JobNotFound(jobId);
  const job = toSnapshot(row);
  return allowed(job.state) ? new JobStateError(job, `${action} right now (try again)`) : new JobStateError(job, action);
}
