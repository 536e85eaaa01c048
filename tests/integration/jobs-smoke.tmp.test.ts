import { sql } from "drizzle-orm";
import { expect, test } from "vitest";
import { startJob } from "~/jobs/api.server";
import { countKeys, seedKeys, startJobs, waitForJob } from "../helpers/jobs";
import { startLocalKv } from "../helpers/local-kv";

test("smoke: purge by prefix", async () => {
  const kv = await startLocalKv();
  const ns = (await kv.store.createNamespace(kv.accountId, "smoke"))!.id;
  await seedKeys(kv, ns, sql`select ${ns}, case when i % 3 = 0 then 'keep/' else 'gone/' end || lpad(i::text, 6, '0'), convert_to('v' || i, 'UTF8'), null, null from generate_series(1, 30000) i`);
  const h = await startJobs(kv, { budget: "2000/10s" });
  const t0 = Date.now();
  const job = await startJob({ services: h.services, user: "test", connectionId: h.connectionId, namespaceId: ns, kind: "purge", payload: { rule: { prefix: "gone/" } } });
  const done = await waitForJob(h, job.id);
  console.log(Date.now() - t0, JSON.stringify(done, null, 1));
  expect(done.state).toBe("succeeded");
  expect(await countKeys(kv, ns, sql`key like 'gone/%'`)).toBe(0);
  expect(await countKeys(kv, ns)).toBe(10000);
  await h.close();
  await kv.close();
});
