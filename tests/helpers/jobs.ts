// Jobs against a local KV API under test: a connection to it, a request budget, and the jobs
// service (store, events, runner) on the same database, plus helpers to seed keys and wait.
// createTestJobs() is the one way tests build them: in the test's process (startJobs) and in the
// job processes a test spawns and kills (job-child.ts, jobs-resume.test.ts).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type SQL, sql } from "drizzle-orm";
import { createSecretBox } from "~/auth/secrets.server";
import { ResourceCache } from "~/cache/resource-cache.server";
import type { Db } from "~/db/client.server";
import { getJob } from "~/jobs/api.server";
import { type JobsConfig, type JobsService, createJobsService } from "~/jobs/service.server";
import { type JobSnapshot, isFinished } from "~/jobs/types";
import { BudgetRegistry, parseBudget } from "~/kv/budget.server";
import { ConnectionRegistry } from "~/kv/connections.server";
import type { KvUpstream } from "~/kv/upstream.server";
import { createPostgresDatabase } from "./db";
import type { LocalKv } from "./local-kv";

export interface JobsHarness {
  services: { jobs: JobsService; connections: ConnectionRegistry; cache: ResourceCache };
  jobs: JobsService;
  connectionId: number;
  /** An interactive upstream to the local KV API (shares the budget). */
  upstream: KvUpstream;
  budgets: BudgetRegistry;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestJobsOptions {
  /** The database of the jobs (and of the connection and the cache). */
  db: Db;
  /** The local KV API to reach. */
  kv: Pick<LocalKv, "baseUrl" | "token" | "accountId">;
  /** KVDECK_UPSTREAM_BUDGET syntax; default off. */
  budget?: string;
  config?: Partial<JobsConfig>;
  dataDir: string;
  log?: (line: string) => void;
}

/** A connection to the local KV API, its request budget, a resource cache and the jobs service (not started). */
export async function createTestJobs(options: TestJobsOptions) {
  const { db, kv, dataDir } = options;
  const budgets = new BudgetRegistry(parseBudget(options.budget ?? "off"));
  const connections = new ConnectionRegistry(
    db,
    createSecretBox(crypto.randomBytes(32)),
    { baseUrl: () => kv.baseUrl, token: () => kv.token },
    budgets,
  );
  const connection = await connections.syncFromEnv({ kind: "local", accountId: kv.accountId });
  const cache = new ResourceCache(db);
  const config = { tickMs: 200, ...options.config };
  const jobs = createJobsService({ db, connections, cache, budgets, dataDir, config, log: options.log ?? (() => {}) });
  return { jobs, connections, cache, budgets, connection };
}

export async function startJobs(
  kv: LocalKv,
  options: { budget?: string; config?: Partial<JobsConfig>; db?: Db; dataDir?: string } = {},
): Promise<JobsHarness> {
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
    services: { jobs, connections, cache },
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

/**
 * A database for job processes a test spawns (job-child.ts's JOB_DATABASE): a fresh database on
 * the test server with KVDECK_TEST_DATABASE_URL, else a PGlite data dir. drop() removes it once
 * the processes are gone.
 */
export async function jobProcessDatabase(): Promise<{ target: string; drop(): Promise<void> }> {
  const url = process.env.KVDECK_TEST_DATABASE_URL;
  if (url) {
    const created = await createPostgresDatabase(url, "kvdeck_jobs");
    return { target: created.url, drop: created.drop };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-job-processes-"));
  return { target: dir, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
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
