// The jobs service shows a running purge on its namespace's row: a real runner purges 20,000 keys
// from the local KV API, whose bulk deletes the test holds back one at a time, so each of the job's
// places (listing, half deleted, done) is looked at while the job is certainly there.
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { namespaceScope } from "~/cache/scopes";
import type { Overlay } from "~/cache/types";
import { jobActivityOpId } from "~/features/namespaces/job-activity.server";
import { loadNamespaces } from "~/features/namespaces/list.server";
import { startJob } from "~/jobs/api.server";
import { type JobsHarness, countKeys, seedKeys, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const KEYS = 20_000;

let kv: LocalKv;
let h: JobsHarness;

beforeAll(async () => {
  kv = await startLocalKv();
  h = await startJobs(kv);
});
afterAll(async () => {
  await h.close();
  await kv.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Bulk deletes wait until the test lets each one go, in order. */
function holdDeletes() {
  const gates: (() => void)[] = [];
  const opened: Promise<void>[] = [];
  for (let i = 0; i < 4; i++) opened.push(new Promise<void>((resolve) => gates.push(resolve)));
  let calls = 0;
  const remove = kv.store.delete.bind(kv.store);
  vi.spyOn(kv.store, "delete").mockImplementation(async (namespaceId, keys) => {
    await opened[Math.min(calls++, opened.length - 1)];
    return remove(namespaceId, keys);
  });
  return { release: (n: number) => gates[n]() };
}

/** Reads until `ok` says yes; the job is held where the test wants it, so this ends. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("a running purge shows on its namespace's row with its progress, and the row is plain again once it has finished", async () => {
  const ns = (await kv.store.createNamespace(kv.accountId, "purged-while-watched"))!.id;
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'tmp:' || lpad(i::text, 6, '0'), convert_to('v', 'UTF8'), null::text, null::bigint from generate_series(1, ${KEYS}) i`,
  );
  const scope = namespaceScope(kv.accountId);
  const cache = h.services.cache;
  const mark = () => cache.getOne(scope, ns);
  const deletes = holdDeletes();
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "tmp:" } },
    totalEstimate: KEYS,
  });

  // The first bulk delete is held: the job lists, nothing is deleted yet.
  const listing = await until(mark, (m) => m !== null);
  expect(listing).toMatchObject({ opId: jobActivityOpId(job.id), status: "processing", stage: "Purge by rule", progress: null });
  expect(listing!.message).toMatch(/^Listing: /);
  const row = (await loadNamespaces(h.services, h.upstream)).find((n) => n.id === ns)!;
  expect(row._meta).toMatchObject({ status: "processing", stage: "Purge by rule" });

  // One batch of 10,000 through, the next held: half done.
  deletes.release(0);
  const half = await until(mark, (m: Overlay<unknown> | null) => m?.progress === 0.5);
  expect(half!.message).toBe("Deleting: 10,000 of 20,000 keys (50 %)");

  deletes.release(1);
  deletes.release(2);
  deletes.release(3);
  expect((await waitForJob(h, job.id)).state).toBe("succeeded");
  expect(await until(mark, (m) => m === null)).toBeNull();
  expect(await countKeys(kv, ns)).toBe(0);
  expect((await loadNamespaces(h.services, h.upstream)).find((n) => n.id === ns)?._meta).toBeUndefined();
});
