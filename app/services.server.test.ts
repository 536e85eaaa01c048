// The composition root on its own: what a web process and a worker get from createServices, and
// the order close() stops things in. The HTTP side is proved against the built server
// (tests/integration/auth-routes-*.test.ts, tests/integration/compiled-server.test.ts).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { listUsers } from "~/auth/users.server";
import type { RequestBudget } from "~/kv/budget.server";
import { parseEnv } from "~/utils/env.server";
import { createServices, type Services } from "./services.server";

const dirs: string[] = [];
const open: Services[] = [];

afterAll(async () => {
  for (const services of open.splice(0)) await services.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function services(env: Record<string, string>, role: "web" | "worker"): Promise<{ services: Services; logged: string[] }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-services-"));
  dirs.push(dataDir);
  const logged: string[] = [];
  const created = await createServices(parseEnv({ KVDECK_DATA_DIR: dataDir, KVDECK_SEED: "none", ...env }), {
    role,
    print: (line) => logged.push(line),
  });
  open.push(created);
  return { services: created, logged };
}

/**
 * A fresh database takes seconds to open and migrate: the file starts one web process and one
 * worker, each the first time a test asks, and shares it. The test of close() closes the web
 * process, so it comes after the web's other tests; the worker's tests look at its startup first.
 */
function once<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= start());
}
const webProcess = once(() => services({ KVDECK_ADMIN_PASSWORD: "services-admin-password" }, "web"));
const WORKER_TOKEN = "worker-local-api-token-0123456789";
const workerProcess = once(() =>
  services(
    {
      KVDECK_JOB_RUNNER: "off",
      KVDECK_LOCAL_KV_URL: "http://127.0.0.1:9/client/v4",
      KVDECK_LOCAL_API_TOKEN: WORKER_TOKEN,
      KVDECK_UPSTREAM_BUDGET: "100/60s",
      KVDECK_ADMIN_PASSWORD: "services-admin-password",
    },
    "worker",
  ),
);

test("a web process serves the local KV API, records the env's connection and a first admin, and runs jobs", async () => {
  const { services: web, logged } = await webProcess();
  expect(web.localKv?.token).toMatch(/\S{16,}/);
  expect((await web.connections.list()).map((c) => `${c.kind}:${c.source}`)).toEqual(["local:env"]);
  expect((await listUsers(web.database.db)).map((u) => `${u.username}:${u.role}`)).toEqual(["admin:admin"]);
  expect(logged.join("\n")).toContain('created the first user "admin"');
  expect(logged.join("\n")).not.toContain("services-admin-password");
  expect(web.jobs.runner).not.toBeNull();
});

test("close() stops the jobs, then the HTTP server that serves their local KV API, then the database; once", async () => {
  const { services: web } = await webProcess();
  const order: string[] = [];
  const server = http.createServer((_req, res) => res.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.on("close", () => order.push("server"));
  const stopJobs = web.jobs.stop.bind(web.jobs);
  web.jobs.stop = () => stopJobs().then(() => void order.push("jobs"));
  const closeDatabase = web.database.close.bind(web.database);
  web.database.close = () => closeDatabase().then(() => void order.push("database"));

  web.start({ server, localKvUrl: "http://127.0.0.1:1/client/v4" });
  const [first, second] = [web.close(), web.close()];
  expect(second).toBe(first);
  await first;
  expect(order).toEqual(["jobs", "server", "database"]);
  expect(server.listening).toBe(false);
});

test("a worker runs jobs even with KVDECK_JOB_RUNNER=off, serves no local KV API and changes nothing at startup", async () => {
  const { services: worker } = await workerProcess();
  expect(worker.jobs.runner).not.toBeNull();
  expect(worker.localKv).toBeNull();
  expect(await worker.connections.list()).toEqual([]);
  expect(await listUsers(worker.database.db)).toEqual([]);
});

test("a worker's browsing and its jobs draw on one request budget per token", async () => {
  const { services: worker } = await workerProcess();
  const connection = await worker.connections.create({ name: "Local", kind: "local", accountId: "c0ffee00c0ffee00c0ffee00c0ffee00" });
  let shared: RequestBudget | null = null;
  worker.connections.upstreamWith(connection, {
    budget: (budget) => {
      shared = budget;
      return budget!.hook("job");
    },
  });
  expect(shared).not.toBeNull();
  expect(shared).toBe(worker.jobs.deps.budgets!.forToken(WORKER_TOKEN, "local"));
});
