// The jobs list kept live: its rows of unfinished jobs take the newer snapshots of the `jobs` (or
// `dry-runs`) topic as they come, and the list reloads from its loader only when that topic says a
// job started (one newer than the newest row) or finished (a row unfinished here is no longer in
// the topic), and when the connection comes back after a drop; never on a timer.
import { useEffect, useMemo, useRef, useState } from "react";
import { type JobSnapshot, isFinished } from "~/jobs/types";
import { DRY_RUNS_TOPIC, JOBS_TOPIC, UNFINISHED_JOBS_LIMIT, type UnfinishedJobs } from "./protocol";
import { useLiveReload, useLiveTopics } from "./use-live";

type Scope = { connectionId: number; namespaceId: string } | null;

/** Whether the topic's unfinished jobs say the loaded rows are out of date (a job started or finished). */
export function listIsStale(rows: readonly JobSnapshot[], unfinished: readonly JobSnapshot[], scope: Scope): boolean {
  const inScope = unfinished.filter((j) => !scope || (j.connectionId === scope.connectionId && j.namespaceId === scope.namespaceId));
  const ids = new Set(inScope.map((j) => j.id));
  const shown = new Set(rows.map((j) => j.id));
  const newest = rows.reduce((at, j) => (j.createdAt > at ? j.createdAt : at), "");
  // The topic carries the newest UNFINISHED_JOBS_LIMIT: a row older than all of them may be unfinished and absent.
  const complete = unfinished.length < UNFINISHED_JOBS_LIMIT;
  const oldest = unfinished.reduce((at, j) => (j.createdAt < at ? j.createdAt : at), "\uffff");
  const finished = rows.some((j) => !isFinished(j.state) && !ids.has(j.id) && (complete || j.createdAt >= oldest));
  const started = inScope.some((j) => !shown.has(j.id) && j.createdAt > newest);
  return finished || started;
}

export function useLiveJobList(loaded: JobSnapshot[], { dryRuns, scope }: { dryRuns: boolean; scope: Scope }): JobSnapshot[] {
  const [live, setLive] = useState<{ from: JobSnapshot[]; byId: Map<string, JobSnapshot> } | null>(null);
  const current = useRef({ loaded, scope });
  useEffect(() => {
    current.current = { loaded, scope };
  });
  const reload = useLiveReload();

  useLiveTopics<UnfinishedJobs>([dryRuns ? DRY_RUNS_TOPIC : JOBS_TOPIC], (_topic, { jobs }) => {
    const { loaded: from, scope } = current.current;
    if (listIsStale(from, jobs, scope)) reload();
    setLive({ from, byId: new Map(jobs.map((j) => [j.id, j])) });
  });

  return useMemo(() => {
    if (live?.from !== loaded) return loaded;
    return loaded.map((row) => {
      const newer = live.byId.get(row.id);
      return newer && newer.updatedAt >= row.updatedAt ? newer : row;
    });
  }, [loaded, live]);
}
