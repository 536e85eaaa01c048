// A process that runs kvdeck's jobs against a local KV API served by the test that spawned it,
// so the test can SIGKILL it mid-job and start another one. Not a test itself.
//   JOB_DATABASE   a postgres:// URL, or a PGlite data directory
//   KV_BASE_URL, KV_TOKEN, KV_ACCOUNT   the local KV API to reach
//   START          JSON {kind, namespaceId, payload}: start this job first; otherwise only run
//   LEASE_MS       the job lease
//   BUDGET         KVDECK_UPSTREAM_BUDGET syntax
//   LAPSE_LEASE_OF a job id: before running, expire that job's lease (its runner is known dead), so
//                  the takeover happens now rather than after a wait that a loaded machine stretches
// Prints one JSON line per event: {"started": id}, {"progress": snapshot}, {"done": snapshot}.
import { sql } from "drizzle-orm";
import { openDatabase } from "~/db/client.server";
import { startJob } from "~/jobs/api.server";
import { isFinished } from "~/jobs/types";
import { createTestJobs } from "./job-services";

const env = process.env;
const target = env.JOB_DATABASE!;
const database = await openDatabase(target.startsWith("postgres") ? { url: target } : { pgliteDir: target });
const { jobs, connections, connection } = await createTestJobs({
  db: database.db,
  kv: { baseUrl: env.KV_BASE_URL!, token: env.KV_TOKEN!, accountId: env.KV_ACCOUNT! },
  budget: env.BUDGET,
  dataDir: env.DATA_DIR ?? "/tmp",
  config: { leaseMs: Number(env.LEASE_MS ?? 2000), tickMs: 200, pollMs: 250 },
  log: (line) => process.stderr.write(`${line}\n`),
});
const print = (event: unknown) => process.stdout.write(`${JSON.stringify(event)}\n`);

jobs.events.subscribe("*", (snapshot) => {
  print({ progress: snapshot });
  if (isFinished(snapshot.state)) {
    print({ done: snapshot });
    void jobs
      .stop()
      .then(() => database.close())
      .then(() => process.exit(0));
  }
});
if (env.START) {
  const { kind, namespaceId, payload } = JSON.parse(env.START);
  const job = await startJob({ services: { jobs, connections }, user: "child", connectionId: connection.id, namespaceId, kind, payload });
  print({ started: job.id });
}
if (env.LAPSE_LEASE_OF) {
  await database.db.execute(
    sql`update jobs set lease_expires_at = now() - interval '1 second' where id = ${env.LAPSE_LEASE_OF} and lease_owner is not null`,
  );
}
jobs.start();
