// The other kinds end to end: delete-selected (any number of keys, marked in the resource cache),
// copy (collision policies, binary values), move (deletes only verified copies), bulk expiry.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { JobInputError, listJobErrors, startJob } from "~/jobs/api.server";
import type { JobKind, JobSnapshot } from "~/jobs/types";
import { type JobsHarness, countKeys, seedKeys, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";
import { listMarks } from "../helpers/marks";

let kv: LocalKv;
let h: JobsHarness;
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  kv = await startLocalKv();
  h = await startJobs(kv, { budget: "2000/10s" });
});
afterAll(async () => {
  await h.close();
  await kv.close();
});

const newNamespace = async (title: string) => (await kv.store.createNamespace(kv.accountId, `${title}-${crypto.randomUUID()}`))!.id;
async function run(kind: JobKind, namespaceId: string, payload: unknown): Promise<JobSnapshot> {
  const job = await startJob({ services: h.services, user: "tester", connectionId: h.connectionId, namespaceId, kind, payload });
  return waitForJob(h, job.id);
}
async function entries(namespaceId: string, prefix = "") {
  const result = (await kv.db.execute(sql`
    select key, encode(value, 'base64') as value, metadata, expiration::float8 as expiration from local_kv_entries
    where namespace_id = ${namespaceId} and starts_with(key, ${prefix}) order by key`)) as unknown as {
    rows: { key: string; value: string; metadata: string | null; expiration: number | null }[];
  };
  return result.rows;
}

test("delete-selected: 25,000 chosen keys (some already gone), each marked deleting in the cache", async () => {
  const ns = await newNamespace("selected");
  await seedKeys(
    kv,
    ns,
    sql`select ${ns}, 'k/' || lpad(i::text, 6, '0'), convert_to('v', 'UTF8'), null::text, null::bigint from generate_series(1, 40000) i`,
  );
  const chosen = Array.from({ length: 25_000 }, (_, i) => `k/${String(i * 2 + 1).padStart(6, "0")}`); // odd ones up to 49,999
  const job = await run("delete-selected", ns, { keys: [...chosen, chosen[0]] });
  expect(job.state).toBe("succeeded");
  expect(job.totalEstimate).toBe(25_000);
  expect(job.counters).toMatchObject({ matched: 25_000, succeeded: 25_000, failed: 0 });
  expect(await countKeys(kv, ns)).toBe(40_000 - 20_000); // 5,000 of the chosen did not exist
  const marks = await listMarks(kv.db, `${kv.accountId}/${ns}`);
  expect(marks).toHaveLength(25_000);
  expect(marks.every((m) => m.status === "deleting" && m.opId === job.id)).toBe(true);
});

describe("copy and move", () => {
  let source: string;
  beforeAll(async () => {
    source = await newNamespace("source");
    const items = Array.from({ length: 3000 }, (_, i) => ({
      key: `${i % 2 ? "a" : "b"}/${String(i).padStart(5, "0")}`,
      value: i % 10 === 0 ? Buffer.from([0xff, 0xfe, i & 0xff, 0x80]) : Buffer.from(`value ${i}`),
      metadata: i % 3 ? JSON.stringify({ i }) : null,
      expiration: i % 7 ? null : now + 3600,
    }));
    await kv.store.write(source, items);
  });

  test("copy with skip leaves the target's own keys alone and copies the rest exactly", async () => {
    const target = await newNamespace("copy-target");
    await kv.store.write(target, [{ key: "a/00001", value: Buffer.from("mine"), metadata: null, expiration: null }]);
    const job = await run("copy", source, { rule: { prefix: "a/" }, targetNamespaceId: target, onCollision: "skip" });
    expect(job.state).toBe("succeeded");
    expect(job.counters).toMatchObject({ matched: 1500, succeeded: 1499, skipped: 1, failed: 0 });
    const copied = await entries(target, "a/");
    expect(copied.find((e) => e.key === "a/00001")!.value).toBe(Buffer.from("mine").toString("base64"));
    expect(copied.filter((e) => e.key !== "a/00001")).toEqual((await entries(source, "a/")).filter((e) => e.key !== "a/00001"));
    expect(await countKeys(kv, target, sql`starts_with(key, 'b/')`)).toBe(0);
  });

  test("move deletes a source key only once its copy is verified in the target", async () => {
    const from = await newNamespace("move-from");
    await kv.store.write(
      from,
      (await entries(source, "b/")).map((e) => ({
        key: e.key,
        value: Buffer.from(e.value, "base64"),
        metadata: e.metadata,
        expiration: e.expiration,
      })),
    );
    const before = await entries(from);
    const target = await newNamespace("move-to");
    // Writes of three keys fail in the target every time: their sources must stay.
    kv.faults.update({ failKeys: "^b/0000[024]$" });
    try {
      const job = await run("move", from, { targetNamespaceId: target, onCollision: "overwrite" });
      expect(job.state).toBe("succeeded");
      expect(job.counters).toMatchObject({ matched: 1500, succeeded: 1497, failed: 3 });
      const { errors } = await listJobErrors({ services: h.services, jobId: job.id });
      expect(errors.map((e) => e.key).sort()).toEqual(["b/00000", "b/00002", "b/00004"]);
    } finally {
      kv.faults.reset();
    }
    expect((await entries(from)).map((e) => e.key)).toEqual(["b/00000", "b/00002", "b/00004"]);
    expect(await entries(target)).toEqual(before.filter((e) => !["b/00000", "b/00002", "b/00004"].includes(e.key)));
  });

  test("a copy onto itself is refused before it starts", async () => {
    await expect(
      startJob({
        services: h.services,
        user: null,
        connectionId: h.connectionId,
        namespaceId: source,
        kind: "copy",
        payload: { targetNamespaceId: source },
      }),
    ).rejects.toBeInstanceOf(JobInputError);
  });
});

test("bulk expiry sets, then clears, expirations of a rule's matches, keeping values and metadata", async () => {
  const ns = await newNamespace("expiry");
  await kv.store.write(ns, [
    ...Array.from({ length: 500 }, (_, i) => ({
      key: `s/${i}`,
      value: Buffer.from(i % 50 ? `v${i}` : "\u00ff\u0000bin"),
      metadata: JSON.stringify({ i }),
      expiration: null,
    })),
    { key: "other", value: Buffer.from("x"), metadata: null, expiration: null },
  ]);
  const before = await entries(ns, "s/");
  const at = now + 86_400;
  const set = await run("bulk-expiry", ns, { rule: { prefix: "s/" }, expiration: at });
  expect(set.counters).toMatchObject({ matched: 500, succeeded: 500, skipped: 0 });
  const after = await entries(ns, "s/");
  expect(after.map((e) => ({ ...e, expiration: null }))).toEqual(before);
  expect(after.every((e) => e.expiration === at)).toBe(true);
  const again = await run("bulk-expiry", ns, { rule: { prefix: "s/" }, expiration: at });
  expect(again.counters).toMatchObject({ succeeded: 0, skipped: 500 });
  expect(again.requestsUsed).toBe(1);
  const cleared = await run("bulk-expiry", ns, { rule: { prefix: "s/" }, clear: true });
  expect(cleared.counters).toMatchObject({ succeeded: 500 });
  expect(await entries(ns, "s/")).toEqual(before);
  expect((await entries(ns, "other"))[0].expiration).toBeNull();
});
