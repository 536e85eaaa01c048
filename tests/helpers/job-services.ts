// The jobs service a test builds against a local KV API: a connection to it, a request budget, a
// resource cache and the jobs service on one database. createTestJobs() is the one way tests build
// them: in the test's process (startJobs in jobs.ts) and in the job processes a test spawns and
// kills (job-child.ts, jobs-resume.test.ts). Free of vitest, which a spawned process cannot import.
import crypto from "node:crypto";
import { createSecretBox } from "~/auth/secrets.server";
import { ResourceCache } from "~/cache/resource-cache.server";
import type { Db } from "~/db/client.server";
import { type JobsConfig, createJobsService } from "~/jobs/service.server";
import { BudgetRegistry, parseBudget } from "~/kv/budget.server";
import { ConnectionRegistry } from "~/kv/connections.server";
import type { LocalKv } from "./local-kv";

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
