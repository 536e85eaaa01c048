// The live connection's protocol, shared by the server (app/live/*.server.ts, the /live route) and
// the browser (app/live/connection.ts, tabs.ts): the topics, what each carries, the stream's events
// and the figures both sides agree on. docs/decisions/017-one-live-connection-per-browser.md.
import type { OverlayMeta } from "~/cache/types";
import type { NamespaceTitles } from "~/jobs/namespace-key";
import type { JobSnapshot } from "~/jobs/types";

/** The one server-sent-events endpoint: `GET /live?topic=…&topic=…&background=…`. */
export const LIVE_PATH = "/live";
/** The server sends a `heartbeat` event this often (it also says so in `hello`). */
export const HEARTBEAT_MS = 5_000;
/** A stream that delivered no event for this many heartbeats is dead: the client closes it and reconnects. */
export const SILENT_HEARTBEATS = 2.5;
/** A topic only hidden tabs watch gets at most one update this often (its first state at once). */
export const BACKGROUND_INTERVAL_MS = 10_000;
/** More topics than this in one request is refused (400): a URL of about 10 kB. */
export const MAX_TOPICS = 200;
/** The unfinished jobs the `jobs` and `dry-runs` topics carry, newest first (the jobs list's page). */
export const UNFINISHED_JOBS_LIMIT = 100;

/**
 * What a topic names:
 * - `job:<id>`: the job's snapshot (JobSnapshot), at least once a second while it runs.
 * - `jobs`: the unfinished jobs people started, no dry runs (UnfinishedJobs): the tray, the jobs list.
 * - `dry-runs`: the unfinished dry runs (UnfinishedJobs): the dry runs list.
 * - `namespace:<connectionId>/<namespaceId>`: the running job's mark on that namespace's row of the
 *   namespaces list (NamespaceActivity), null when no job shows there.
 */
export type LiveTopic =
  { kind: "job"; jobId: string } | { kind: "jobs"; dryRun: boolean } | { kind: "namespace"; connectionId: number; namespaceId: string };

export interface UnfinishedJobs {
  jobs: JobSnapshot[];
  titles: NamespaceTitles;
}
export type NamespaceActivity = OverlayMeta | null;

export const JOBS_TOPIC = "jobs";
export const DRY_RUNS_TOPIC = "dry-runs";
export const jobTopic = (jobId: string) => `job:${jobId}`;
export const namespaceTopic = (connectionId: number, namespaceId: string) => `namespace:${connectionId}/${namespaceId}`;

const MAX_ID_LENGTH = 512;

/** A topic's name parsed, or null when it names nothing kvdeck streams. */
export function parseTopic(name: string): LiveTopic | null {
  if (name === JOBS_TOPIC) return { kind: "jobs", dryRun: false };
  if (name === DRY_RUNS_TOPIC) return { kind: "jobs", dryRun: true };
  if (name.startsWith("job:")) {
    const jobId = name.slice("job:".length);
    return jobId && jobId.length <= MAX_ID_LENGTH ? { kind: "job", jobId } : null;
  }
  const namespace = /^namespace:([1-9]\d{0,9})\/(.+)$/s.exec(name);
  if (namespace && namespace[2].length <= MAX_ID_LENGTH)
    return { kind: "namespace", connectionId: Number(namespace[1]), namespaceId: namespace[2] };
  return null;
}

/** The stream's URL for these topics; `visible` false marks a topic only hidden tabs watch. */
export function liveUrl(topics: ReadonlyMap<string, boolean>): string {
  const query = new URLSearchParams();
  const names = [...topics.keys()].sort();
  for (const topic of names) query.append("topic", topic);
  for (const topic of names) if (!topics.get(topic)) query.append("background", topic);
  return `${LIVE_PATH}?${query}`;
}

/**
 * The stream's events, in order: `hello` first, then each topic's current state (`update`, or
 * `refused` for a topic the user may not watch), then `ready` once every topic has its first state;
 * after that `update`s as topics change and a `heartbeat` every `heartbeatMs`.
 */
export interface LiveEvents {
  hello: { heartbeatMs: number; backgroundMs: number };
  update: { topic: string; data: unknown };
  refused: { topic: string; status: number; message: string };
  ready: Record<string, never>;
  heartbeat: { at: string };
}
export type LiveEventName = keyof LiveEvents;

/** The connection as a page shows it: `live` (synced), `connecting` (opening or reopening), `offline` (the browser says so). */
export type LiveStatus = "live" | "connecting" | "offline";
