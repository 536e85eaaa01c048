// kvdeck's jobs and the local KV API in one process, for the benchmarks that drive jobs without a
// browser (purge, plan-apply, catalog-index): an in-memory PGlite holding both (BENCH_PGLITE_DIR: a
// PGlite data directory, as kvdeck runs by default; DATABASE_URL: a PostgreSQL server), the local KV API
// on a loopback port enforcing `budget` (429 + Retry-After, as Cloudflare does) with `faults`,
// the connection registry and the jobs service with kvdeck's own budget of the same shape.
import type { AddressInfo } from "node:net";
import express from "express";
import { createSecretBox } from "~/auth/secrets.server";
import { ResourceCache } from "~/cache/resource-cache.server";
import { openDatabase } from "~/db/client.server";
import { getJob } from "~/jobs/api.server";
import { createJobsService } from "~/jobs/service.server";
import { type JobSnapshot, isFinished } from "~/jobs/types";
import { BudgetRegistry, type BudgetSpec } from "~/kv/budget.server";
import { ConnectionRegistry } from "~/kv/connections.server";
import { Faults, type FaultSettings, LocalKvStore, RateLimit, createLocalKvApi } from "@kvdeck/local-kv";

export const BENCH_ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
const TOKEN = "bench-token-0123456789";

export async function startInProcess({
  budget,
  faults = {},
  before,
}: {
  budget: BudgetSpec;
  faults?: Partial<FaultSettings>;
  /** Runs on every local KV API request before the API (e.g. to count them). */
  before?: express.RequestHandler;
}) {
  // DATABASE_URL: a PostgreSQL server (its memory outside this process), else in-process PGlite,
  // in memory or (BENCH_PGLITE_DIR) in a data directory, its pages on disk.
  const database = await openDatabase({ url: process.env.DATABASE_URL, pgliteDir: process.env.BENCH_PGLITE_DIR });
  const store = new LocalKvStore(database.db, 0);
  const app = express();
  if (before) app.use("/client/v4", before);
  app.use("/client/v4", createLocalKvApi({ store, token: TOKEN, rateLimit: new RateLimit(budget), faults: new Faults(faults) }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;

  const budgets = new BudgetRegistry(budget);
  const connections = new ConnectionRegistry(
    database.db,
    createSecretBox(Buffer.alloc(32, 1)),
    { baseUrl: () => baseUrl, token: () => TOKEN },
    budgets,
  );
  const connection = await connections.syncFromEnv({ kind: "local", accountId: BENCH_ACCOUNT });
  const cache = new ResourceCache(database.db);
  const jobs = createJobsService({ db: database.db, connections, cache, budgets, dataDir: "/tmp", log: () => {} });
  const services = { jobs, connections };
  jobs.start();

  return {
    database,
    store,
    budgets,
    connections,
    connection,
    cache,
    jobs,
    services,
    /** Waits until the job has finished, reading it every 100 ms. */
    async waitFor(jobId: string): Promise<JobSnapshot> {
      for (;;) {
        const job = (await getJob({ services, jobId }))!;
        if (isFinished(job.state)) return job;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      await jobs.stop();
      server.close();
      await database.close();
    },
  };
}
