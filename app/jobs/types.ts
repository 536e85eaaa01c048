// The jobs vocabulary the pages use: kinds, states, the snapshot a job is shown from. Shared by
// server and browser (no server imports).

// The one definition of a job's kinds and states: the types, the zod enums (payloads.ts, forms),
// the database's check constraints (app/db/schema.ts) and every state predicate below derive
// from these lists. Don't list kinds or states anywhere else.
export const JOB_KINDS = ["delete-selected", "purge", "export", "import", "copy", "move", "bulk-expiry", "index", "restore"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** States of a job that has not finished: what the tray and a namespace's banner show. */
export const UNFINISHED_STATES = ["queued", "running", "paused", "cancelling"] as const;
/** States a job never leaves, except failed (which resumeJob may retry from its checkpoint). */
const FINISHED_STATES = ["cancelled", "succeeded", "failed"] as const;
export const JOB_STATES = [...UNFINISHED_STATES, ...FINISHED_STATES] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a pause request applies to, and a cancel request. */
export const PAUSABLE_STATES = ["queued", "running"] as const satisfies readonly JobState[];
export const CANCELLABLE_STATES = ["queued", "running", "paused"] as const satisfies readonly JobState[];
/** States resumeJob queues again. */
export const RESUMABLE_STATES = ["paused", "failed"] as const satisfies readonly JobState[];

const among = (states: readonly JobState[]) => (state: JobState) => states.includes(state);

export const isUnfinished = among(UNFINISHED_STATES);
export const isFinished = (state: JobState) => !isUnfinished(state);
/** Unfinished and not paused: a runner has work to do (queued, running, cancelling). */
export const isActive = (state: JobState) => isUnfinished(state) && state !== "paused";
export const canPause = among(PAUSABLE_STATES);
export const canResume = among(RESUMABLE_STATES);
export const canCancel = among(CANCELLABLE_STATES);

export interface JobCounters {
  /** Keys (or import items) read from the source so far. */
  scanned: number;
  /** Keys that match the job's selection so far (the whole job once it has finished). */
  matched: number;
  /** succeeded + failed + skipped. */
  processed: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

/** What a dry run found: the exact count, the first keys, and what the real run would cost. */
export interface DryRunResult {
  matched: number;
  sample: string[];
  estimate: {
    requests: number;
    /** Lower bound under the request budget jobs get (and the time the listing itself took). */
    seconds: number;
    budget: string | null;
  };
  /** Import and copy: how many keys already exist in the target. */
  collisions?: number;
  /**
   * The dry run is a plan (a purge's): its matching keys are stored (job_keys `planned`), so
   * `estimate` is what applying it costs, with no listing; a re-check adds `recheckRequests`.
   */
  plan?: {
    recheckRequests: number;
    /** Made from the namespace's catalog (no listing), as of when its last listing started. */
    fromCatalog?: { asOf: string | null };
  };
}

/** An index job's result: what its listing found (app/jobs/kinds/index-catalog.server.ts). */
export interface IndexResult {
  catalogId: number;
  scan: number;
  /** Keys in the catalog once the listing finished. */
  keys: number;
  /** Keys the listing found that the catalog did not hold (on a first index: every key). */
  added: number;
  /** Keys the catalog held that the listing no longer found. */
  removed: number;
  bytes: number;
}

/** A plan's result: what its dry run found, and once applied, the job that applied it. */
export interface PlanResult {
  dryRun: DryRunResult;
  appliedBy?: string;
  appliedAt?: string;
}

/** The result of a job that applied a plan: which one, and what a re-check deleted beyond it. */
export interface PlanApplyResult {
  plan: string;
  recheck: boolean;
  /** Keys matching the rule live that were not in the plan, deleted by the re-check. */
  added?: number;
}

/**
 * How old a plan may be before applying it warns: the upstream lists changes after about a
 * minute, so an older plan may miss keys created since or name keys already gone.
 */
export const PLAN_CONSISTENCY_MS = 60_000;

export interface ExportResult {
  file: string;
  bytes: number;
  format: "ndjson" | "json";
  keys: number;
}

/** A job as the pages show it. Dates are ISO strings so it crosses loaders and SSE unchanged. */
export interface JobSnapshot {
  id: string;
  kind: JobKind;
  connectionId: number;
  namespaceId: string;
  state: JobState;
  /**
   * A pause was requested and the job's runner is finishing its batches in flight; the state
   * stays `running` (or `queued`) until it has stopped and saved its checkpoint, then `paused`.
   */
  pauseRequested: boolean;
  dryRun: boolean;
  payload: unknown;
  phase: string | null;
  counters: JobCounters;
  /** The expected number of keys, when known (delete-selected, import, after a dry run, at the end). */
  totalEstimate: number | null;
  /** 0..1 when a total is known. */
  progress: number | null;
  /** Keys per second, recently (null once the job has stopped). */
  rate: number | null;
  etaSeconds: number | null;
  /** Source pages read so far (upstream list pages, import file pages, key-set pages). */
  pagesScanned: number;
  /** Time runners spent on the job over all its runs (pauses and queueing not counted). */
  runningMs: number;
  /** Once finished: processed keys per second over `runningMs`; null before, or when not published. */
  averageRate: number | null;
  requestsUsed: number;
  attempts: number;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Kind-specific: ExportResult, DryRunResult under `dryRun`, move/copy summaries. */
  result: unknown;
}

export interface JobErrorEntry {
  key: string;
  error: string;
  at: string;
}

/** The largest import file kvdeck accepts (streamed to disk, then validated). */
export const MAX_IMPORT_FILE_BYTES = 1024 * 1024 * 1024;
