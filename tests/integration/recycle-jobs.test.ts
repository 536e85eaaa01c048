// The recycle bin under jobs, against the local KV API with a request budget and injected faults:
// a purge of 20,000 keys copies every one before deleting it, and a restore job brings them all
// back byte-identical (binary values, metadata, expiries); a process SIGKILLed between a batch's
// copy and its delete loses nothing (the next process replays both); a job whose copy passes the
// bin's cap fails with the cap's message and deletes nothing it did not copy.
import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { rowsOf, openDatabase } from "~/db/client.server";
import { listJobErrors, startJob } from "~/jobs/api.server";
import type { JobSnapshot } from "~/jobs/types";
import { DEFAULT_RECYCLE_SETTINGS } from "~/recycle/settings";
import { RecycleStore } from "~/recycle/store.server";
import { type JobsHarness, countKeys, jobProcessDatabases, seedKeys, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const BUDGET = "2000/10s";
const FAULTS = { error: 0.05, burst429: 0.02, partial: 0.02, seed: 12 };
const N = 20_000;

let kv: LocalKv;
let h: JobsHarness;
const databases = jobProcessDatabases();
const children: ChildProcess[] = [];

beforeAll(async () => {
  kv = await startLocalKv({ rateLimit: BUDGET });
  h = await startJobs(kv, { budget: BUDGET });
});
afterEach(async () => {
  vi.restoreAllMocks();
  kv.faults.reset();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) child.kill("SIGKILL");
  }
  await h.jobs.deps.recycle.saveSettings(h.connectionId, DEFAULT_RECYCLE_SETTINGS);
});
afterAll(async () => {
  await h?.close();
  await kv?.close();
  await databases.close();
});

/** Text values, every 97th one bytes that are not UTF-8; metadata on even keys, an expiry on every 10th. */
async function seedDoomed(ns: string, count: number) {
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'doomed/' || lpad(i::text, 6, '0'),
          case when i % 97 = 0 then decode('ff00fe' || lpad(to_hex(i), 8, '0'), 'hex') else convert_to('value ' || i || ' ✓', 'UTF8') end,
          case when i % 2 = 0 then '{"tag":"t' || (i % 7) || '","n":' || i || '}' end,
          case when i % 10 = 0 then extract(epoch from now())::bigint + 86400 + i end
        from generate_series(1, ${count}) i
        union all select ${ns}, 'kept/' || lpad(i::text, 4, '0'), convert_to('kept', 'UTF8'), null, null from generate_series(1, 500) i`,
  );
}

/** Each key's value digest, metadata and expiry, in key order. */
const snapshot = (ns: string, prefix: string) =>
  rowsOf<{ key: string; digest: string; metadata: string | null; expiration: string | null }>(
    kv.db,
    sql`select key, md5(value) as digest, metadata, expiration::text from local_kv_entries
        where namespace_id = ${ns} and starts_with(key, ${prefix}) order by key collate "C"`,
  );

test("purge 20,000 keys under faults and a budget, then restore them as a job: identical", { timeout: 300_000 }, async () => {
  const ns = (await kv.store.createNamespace(kv.accountId, "recycle-purge"))!.id;
  await seedDoomed(ns, N);
  const before = await snapshot(ns, "doomed/");
  expect(before).toHaveLength(N);

  kv.faults.update(FAULTS);
  const purge = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "doomed/" }, recycle: "keep" },
  });
  const purged = await waitForJob(h, purge.id);
  expect(purged.state).toBe("succeeded");
  expect(purged.counters).toMatchObject({ succeeded: N, failed: 0 });
  await kv.store.applyDue();
  expect(await countKeys(kv, ns, sql`starts_with(key, 'doomed/')`)).toBe(0);
  const deletion = await h.jobs.deps.recycle.deletion(purge.id);
  expect(deletion).toMatchObject({ keys: N, restoredKeys: 0, operation: "purge", createdBy: "tester" });
  // The copy's cost: one bulk get per 100 keys (and one read per non-UTF-8 value), no more, beyond the listing and deletes.
  console.log(`purge with copy: ${purged.requestsUsed} requests under faults`);

  const restore = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "restore",
    payload: { deletion: purge.id },
  });
  const restored = await waitForJob(h, restore.id);
  kv.faults.reset();
  expect(restored.state).toBe("succeeded");
  expect(restored.counters).toMatchObject({ succeeded: N, failed: 0, skipped: 0 });
  await kv.store.applyDue();
  expect(await snapshot(ns, "doomed/")).toEqual(before);
  expect(await countKeys(kv, ns, sql`starts_with(key, 'kept/')`)).toBe(500);
  expect(await h.jobs.deps.recycle.deletion(purge.id)).toMatchObject({ keys: N, restoredKeys: N, bytes: 0 });
});

test("a purge whose copy would pass the cap fails saying so, and every key it deleted has its copy", { timeout: 120_000 }, async () => {
  const ns = (await kv.store.createNamespace(kv.accountId, "recycle-cap"))!.id;
  await seedDoomed(ns, 25_000);
  const recycle = h.jobs.deps.recycle;
  // Room for the first batch of 10,000 keys' copies (about 20 bytes each, with metadata on half), not for all.
  await recycle.saveSettings(h.connectionId, {
    ...DEFAULT_RECYCLE_SETTINGS,
    capBytes: (await recycle.heldBytes(h.connectionId)) + 400_000,
  });
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "doomed/" } },
  });
  const done = await waitForJob(h, job.id);
  expect(done.state).toBe("failed");
  expect(done.error).toMatch(
    /^The recycle bin is full: .* so they were not deleted\. .* Keys deleted before this batch have their copies\.$/,
  );
  await kv.store.applyDue();
  const left = await countKeys(kv, ns, sql`starts_with(key, 'doomed/')`);
  const copied = (await recycle.deletion(job.id))!.keys;
  expect(copied).toBeGreaterThan(0);
  expect(left).toBeGreaterThan(0);
  // Nothing deleted without its copy: what is gone is exactly what the bin holds.
  expect(copied).toBe(25_000 - left);
  expect(await listJobErrors({ services: h.services, jobId: job.id })).toMatchObject({ errors: [] });
});

test(
  "SIGKILL between a batch's copy and its delete loses nothing: the next process copies and deletes it",
  { timeout: 300_000 },
  async () => {
    const ns = (await kv.store.createNamespace(kv.accountId, "recycle-kill"))!.id;
    const count = 5_000;
    await seedDoomed(ns, count);
    const before = await snapshot(ns, "doomed/");
    const database = await databases.next();
    try {
      // The first bulk delete of the first process: it arrives once the batch's copy is written.
      // The process dies there, and the delete is not applied (every key reported unsuccessful).
      let first: ChildProcess | null = null;
      let deletesSeen = 0;
      const split = kv.faults.splitBulk.bind(kv.faults);
      vi.spyOn(kv.faults, "splitBulk").mockImplementation(<T>(items: T[], keyOf: (item: T) => string) => {
        if (items.length > 0 && typeof items[0] === "string" && deletesSeen++ === 0 && first) {
          first.kill("SIGKILL");
          return { apply: [], failed: items.map(keyOf) };
        }
        return split(items, keyOf);
      });
      first = spawnChild(database.target, {
        START: JSON.stringify({ kind: "purge", namespaceId: ns, payload: { rule: { prefix: "doomed/" } } }),
      });
      const lines = readline.createInterface({ input: first.stdout! })[Symbol.asyncIterator]();
      const jobId = JSON.parse((await lines.next()).value as string).started as string;
      await new Promise<void>((resolve) => first!.once("exit", () => resolve()));
      expect(first.signalCode).toBe("SIGKILL");
      await kv.store.applyDue();
      // Killed between the copy and the delete: every key still there.
      expect(await countKeys(kv, ns, sql`starts_with(key, 'doomed/')`)).toBe(count);

      const second = spawnChild(database.target, { LAPSE_LEASE_OF: jobId });
      const secondLines = readline.createInterface({ input: second.stdout! })[Symbol.asyncIterator]();
      let done: JobSnapshot | null = null;
      for await (const line of secondLines) {
        const event = JSON.parse(line) as { done?: JobSnapshot };
        if (event.done) done = event.done;
      }
      expect(done?.state).toBe("succeeded");
      expect(done?.counters).toMatchObject({ succeeded: count, failed: 0 });
      await kv.store.applyDue();
      expect(await countKeys(kv, ns, sql`starts_with(key, 'doomed/')`)).toBe(0);

      // Every deleted key has its copy, byte for byte.
      const opened = await openDatabase(database.target.startsWith("postgres") ? { url: database.target } : { pgliteDir: database.target });
      try {
        const store = new RecycleStore(opened.db);
        expect(await store.deletion(jobId)).toMatchObject({ keys: count });
        const copies = await rowsOf<{ key: string; digest: string; metadata: string | null; expiration: string | null }>(
          opened.db,
          sql`select key, md5(value) as digest, metadata, expiration::text from deleted_keys where deletion_id = ${jobId} order by key collate "C"`,
        );
        expect(copies).toEqual(before);
      } finally {
        await opened.close();
      }
    } finally {
      await database.drop();
    }
  },
);

test(
  "a move keeps copies of what it deletes from the source, from the values it read (no request more)",
  { timeout: 120_000 },
  async () => {
    const target = (await kv.store.createNamespace(kv.accountId, "recycle-move-target"))!.id;
    const move = async (recycle: "keep" | "skip") => {
      const source = (await kv.store.createNamespace(kv.accountId, `recycle-move-${recycle}`))!.id;
      await seedDoomed(source, 300);
      const before = await snapshot(source, "doomed/");
      const job = await startJob({
        services: h.services,
        user: "tester",
        connectionId: h.connectionId,
        namespaceId: source,
        kind: "move",
        payload: { rule: { prefix: "doomed/" }, targetNamespaceId: target, recycle },
      });
      return { before, done: await waitForJob(h, job.id) };
    };
    const kept = await move("keep");
    expect(kept.done.state).toBe("succeeded");
    expect(kept.done.counters).toMatchObject({ succeeded: 300, failed: 0 });
    expect(await h.jobs.deps.recycle.deletion(kept.done.id)).toMatchObject({ keys: 300, operation: "move" });
    const copies = await rowsOf<{ key: string; digest: string; metadata: string | null; expiration: string | null }>(
      kv.db,
      sql`select key, md5(value) as digest, metadata, expiration::text from deleted_keys where deletion_id = ${kept.done.id} order by key collate "C"`,
    );
    expect(copies).toEqual(kept.before);
    // The same move of the same keys without the copy sends as many requests: the copy reuses the values the move read.
    const skipped = await move("skip");
    expect(skipped.done.state).toBe("succeeded");
    expect(await h.jobs.deps.recycle.deletion(skipped.done.id)).toBeNull();
    expect(kept.done.requestsUsed).toBe(skipped.done.requestsUsed);
  },
);

function spawnChild(target: string, extra: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/job-child.ts"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      JOB_DATABASE: target,
      KV_BASE_URL: kv.baseUrl,
      KV_TOKEN: kv.token,
      KV_ACCOUNT: kv.accountId,
      LEASE_MS: "120000",
      BUDGET,
      ...extra,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return child;
}
