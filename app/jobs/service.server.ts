// The jobs part of a process's services (AppServices.jobs): the store, the progress events and,
// unless turned off, a runner. Built the same way by the web server and by the worker.
import type { Env } from "~/utils/env.server";
import type { ResourceCache } from "~/cache/resource-cache.server";
import type { Db } from "~/db/client.server";
import type { BudgetRegistry } from "~/kv/budget.server";
import type { ConnectionRegistry } from "~/kv/connections.server";
import { type JobActivityMirror, mirrorJobActivity } from "~/features/namespaces/job-activity.server";
import { record } from "~/audit/audit.server";
import { RecycleStore } from "~/recycle/store.server";
import type { JobDeps } from "./context.server";
import { JobEvents } from "./events.server";
import { JobRunner } from "./runner.server";
import { JobStore } from "./store.server";

export interface JobsConfig {
  /** Run jobs in this process (`KVDECK_JOB_RUNNER=in-process`, the default) or leave them to workers (`off`). */
  runInProcess: boolean;
  /** Jobs one runner runs at once (`KVDECK_JOB_CONCURRENCY`, default 2). */
  concurrency: number;
  /** How long a lease lasts without renewal (`KVDECK_JOB_LEASE_MS`, default 30 s): a dead runner's job is taken over after this. */
  leaseMs: number;
  pollMs: number;
  tickMs: number;
  aimd?: { initial?: number; max?: number };
}

export const DEFAULT_JOBS_CONFIG: JobsConfig = { runInProcess: true, concurrency: 2, leaseMs: 30_000, pollMs: 1_000, tickMs: 1_000 };

/** The runner's settings from the (already validated) environment. */
export function jobsConfigFromEnv(env: Pick<Env, "KVDECK_JOB_RUNNER" | "KVDECK_JOB_CONCURRENCY" | "KVDECK_JOB_LEASE_MS">): JobsConfig {
  return {
    ...DEFAULT_JOBS_CONFIG,
    runInProcess: env.KVDECK_JOB_RUNNER === "in-process",
    concurrency: env.KVDECK_JOB_CONCURRENCY,
    leaseMs: env.KVDECK_JOB_LEASE_MS,
  };
}

export interface JobsService {
  store: JobStore;
  events: JobEvents;
  /** Null when this process runs no jobs (they are left to workers). */
  runner: JobRunner | null;
  deps: JobDeps;
  start(): void;
  stop(): Promise<void>;
}

export function createJobsService(input: {
  db: Db;
  connections: ConnectionRegistry;
  cache: ResourceCache;
  budgets: BudgetRegistry | null;
  dataDir: string;
  config?: Partial<JobsConfig>;
  log?: (line: string) => void;
}): JobsService {
  const config = { ...DEFAULT_JOBS_CONFIG, ...input.config };
  const store = new JobStore(input.db);
  const events = new JobEvents();
  const deps: JobDeps = {
    store,
    recycle: new RecycleStore(input.db),
    audit: (event) => record(input.db, event),
    connections: input.connections,
    cache: input.cache,
    events,
    dataDir: input.dataDir,
    leaseMs: config.leaseMs,
    tickMs: config.tickMs,
    log: input.log ?? ((line) => console.log(line)),
    budgets: input.budgets,
    aimd: config.aimd,
  };
  const runner = config.runInProcess ? new JobRunner(deps, { concurrency: config.concurrency, pollMs: config.pollMs }) : null;
  // Where jobs run, each one shows on its namespace's row in the namespaces list (app/features/namespaces).
  let activity: JobActivityMirror | null = null;
  return {
    store,
    events,
    runner,
    deps,
    start: () => {
      if (!runner) return;
      activity ??= mirrorJobActivity({
        events,
        cache: input.cache,
        connections: input.connections,
        leaseMs: config.leaseMs,
        log: deps.log,
      });
      runner.start();
    },
    stop: async () => {
      await runner?.stop();
      // After the runner: its last writes (jobs released or finished) clear their marks.
      await activity?.stop();
      activity = null;
    },
  };
}
