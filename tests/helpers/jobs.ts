// Jobs against a local KV API under test: the jobs service (store, events, runner) on the API's
// database, started in the test's process (startJobs; built by job-services.ts's createTestJobs,
// as the job processes a test spawns are), a whole file's fixture of both (useJobsOnLocalKv), and
// helpers to seed keys and wait.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPostgresDatabase } from "@kvdeck/local-kv/testing";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import type { ResourceCache } from "~/cache/resource-cache.server";
import { type Db, openDatabase } from "~/db/client.server";
import { getJob, startJob } from "~/jobs/api.server";
import type { JobsConfig, JobsService } from "~/jobs/service.server";
import { type JobSnapshot, isFinished } from "~/jobs/types";
import type { BudgetRegistry } from "~/kv/budget.server";
import type { ConnectionRegistry } from "~/kv/connections.server";
import type { KvUpstream } from "~/kv/upstream.server";
import type { RecycleStore } from "~/recycle/store.server";
import { createTestJobs } from "./job-services";
import { type LocalKv, type StartLocalKvOptions, startLocalKv } from "./local-kv";

export interface JobsHarness {
  services: { jobs: JobsService; connections: ConnectionRegistry; cache: ResourceCache; recycle: RecycleStore };
  jobs: JobsService;
  connectionId: number;
  /** An interactive upstream to the local KV API (shares the budget). */
  upstream: KvUpstream;
  budgets: BudgetRegistry;
  dataDir: string;
  close(): Promise<void>;
}

export interface StartJobsOptions {
  budget?: string;
  config?: Partial<JobsConfig>;
  db?: Db;
  dataDir?: string;
}

export async function startJobs(kv: LocalKv, options: StartJobsOptions = {}): Promise<JobsHarness> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-jobs-"));
  const { jobs, connections, cache, budgets, connection } = await createTestJobs({
    db: options.db ?? kv.db,
    kv,
    budget: options.budget,
    config: options.config,
    dataDir,
  });
  jobs.start();
  const stop = async () => {
    await jobs.stop();
    // stop() gives up waiting after a while; a job still running now would outlive the test.
    const left = jobs.runner?.activeJobs ?? [];
    if (left.length > 0) throw new Error(`jobs still running after stop(): ${left.join(", ")}`);
  };
  // Stopped before the local KV API and its database close, even if the test closes those first.
  const forget = kv.use("jobs service", stop);
  return {
    services: { jobs, connections, cache, recycle: jobs.deps.recycle },
    jobs,
    connectionId: connection.id,
    upstream: await connections.upstreamFor(connection),
    budgets,
    dataDir,
    async close() {
      forget();
      try {
        await stop();
      } finally {
        if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A test file's local KV API and the jobs service started on it (see useJobsOnLocalKv). */
export interface JobsOnLocalKv {
  kv: LocalKv;
  h: JobsHarness;
}

/**
 * For a whole test file: starts a local KV API and the jobs service on it before the file's tests,
 * closes both after them, and restores mocks after each test. Its `kv` and `h` are set once the
 * file's tests and hooks run (not while the file is being collected).
 */
export function useJobsOnLocalKv(options: { kv?: StartLocalKvOptions; jobs?: StartJobsOptions } = {}): JobsOnLocalKv {
  const fixture = {} as JobsOnLocalKv;
  beforeAll(async () => {
    fixture.kv = await startLocalKv(options.kv);
    fixture.h = await startJobs(fixture.kv, options.jobs);
  });
  afterAll(async () => {
    await fixture.h?.close();
    await fixture.kv?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return fixture;
}

/** Databases for the job processes a test spawns (see jobProcessDatabases). */
export interface JobProcessDatabases {
  /** A fresh database (job-child.ts's JOB_DATABASE); drop() removes it once its processes are gone. */
  next(): Promise<{ target: string; drop(): Promise<void> }>;
  /** Removes what next() kept to copy from. */
  close(): Promise<void>;
}

/**
 * Databases for job processes a test spawns: a fresh database on the test server with
 * KVDECK_TEST_DATABASE_URL, else a copy of one PGlite data dir migrated here once, so a spawned
 * process opens a migrated database instead of running initdb and the migrations itself (the slow
 * part of opening PGlite).
 */
export function jobProcessDatabases(): JobProcessDatabases {
  const url = process.env.KVDECK_TEST_DATABASE_URL;
  let template: Promise<string> | null = null;
  const migrated = async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-job-processes-template-"));
    await (await openDatabase({ pgliteDir: dir })).close();
    return dir;
  };
  return {
    async next() {
      if (url) {
        const created = await createPostgresDatabase(url, "kvdeck_jobs");
        return { target: created.url, drop: created.drop };
      }
      template ??= migrated();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-job-processes-"));
      fs.cpSync(await template, dir, { recursive: true });
      return { target: dir, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
    async close() {
      const dir = await template?.catch(() => null);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the job has finished (or `until` says so); returns its snapshot. */
export async function waitForJob(
  harness: Pick<JobsHarness, "services">,
  jobId: string,
  { timeoutMs = 280_000, until = (j: JobSnapshot) => isFinished(j.state) } = {},
): Promise<JobSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob({ services: harness.services, jobId });
    if (!job) throw new Error(`no job ${jobId}`);
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms: ${JSON.stringify(job.counters)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Seeds keys straight into the local KV store with one INSERT … SELECT (the demo seeder's way). */
export async function seedKeys(kv: LocalKv, namespaceId: string, select: SQL): Promise<void> {
  await kv.store.executeSeed(sql`insert into local_kv_entries (namespace_id, key, value, metadata, expiration) ${select}`);
  await kv.store.analyze();
}

export async function countKeys(kv: LocalKv, namespaceId: string, where: SQL = sql`true`): Promise<number> {
  const result = (await kv.db.execute(
    sql`select count(*)::float8 as n from local_kv_entries where namespace_id = ${namespaceId} and ${where}`,
  )) as unknown as { rows: { n: number }[] };
  return result.rows[0].n;
}

/** Starts a purge of the keys under `prefix` (a dry run when asked; the recycle copy as the connection's default unless told) as user "tester". */
export function startPurge(
  harness: Pick<JobsHarness, "services" | "connectionId">,
  namespaceId: string,
  {
    prefix = "tmp:",
    dryRun = false,
    totalEstimate,
    recycle,
  }: { prefix?: string; dryRun?: boolean; totalEstimate?: number | null; recycle?: "keep" | "skip" } = {},
): Promise<JobSnapshot> {
  return startJob({
    services: harness.services,
    user: "tester",
    connectionId: harness.connectionId,
    namespaceId,
    kind: "purge",
    payload: { rule: { prefix }, ...(recycle ? { recycle } : {}) },
    dryRun,
    totalEstimate,
  });
}

/** Starts an index job of the namespace (its catalog's first listing, or a refresh) as user "tester". */
export function startIndex(harness: Pick<JobsHarness, "services" | "connectionId">, namespaceId: string): Promise<JobSnapshot> {
  return startJob({
    services: harness.services,
    user: "tester",
    connectionId: harness.connectionId,
    namespaceId,
    kind: "index",
    payload: {},
  });
}
