// kvdeck's own changes reach a namespace's catalog at once, through the upstream every part of
// kvdeck gets from the connection registry: single puts and deletes (the keys page), a purge job, an
// import job. A namespace deleted through kvdeck takes its catalog with it. A scheduled catalog gets
// one refresh queued when it is due, never two. Names with NUL survive the catalog's escaping.
import { expect, test } from "vitest";
import type { CatalogEntry } from "~/catalog/store.server";
import { saveImportUpload, startJob } from "~/jobs/api.server";
import { nowSeconds } from "~/utils/time";
import { useJobsOnLocalKv, waitForJob, startIndex } from "../helpers/jobs";

const t = useJobsOnLocalKv();

const newNamespace = async (title: string) => (await t.kv.store.createNamespace(t.kv.accountId, `${title}-${crypto.randomUUID()}`))!.id;
const store = () => t.h.services.connections.catalog;

async function catalogKeys(ns: string): Promise<CatalogEntry[]> {
  const catalog = await store().get(t.h.connectionId, ns);
  if (!catalog) return [];
  const all: CatalogEntry[] = [];
  for await (const page of store().allKeys(catalog.id)) all.push(...page);
  return all;
}

async function indexed(ns: string) {
  const job = await startIndex(t.h, ns);
  expect((await waitForJob(t.h, job.id)).state).toBe("succeeded");
  return (await store().get(t.h.connectionId, ns))!;
}

test("single puts and deletes show in the catalog at once, with exact counts and bytes", async () => {
  const ns = await newNamespace("own-single");
  await t.h.upstream.putValue(ns, "a", "1", { metadata: { tag: "x" } });
  await indexed(ns);
  expect(await catalogKeys(ns)).toEqual([{ name: "a", metadata: { tag: "x" } }]);

  const before = Math.floor(Date.now() / 1000);
  await t.h.upstream.putValue(ns, "b", "2", { metadata: { tag: "y" }, expirationTtl: 3600 });
  await t.h.upstream.putValue(ns, "a", "1", { metadata: { tag: "changed", more: "yes" } });
  const held = await catalogKeys(ns);
  expect(held.map((k) => k.name)).toEqual(["a", "b"]);
  expect(held[0].metadata).toEqual({ tag: "changed", more: "yes" });
  expect(held[1].expiration).toBeGreaterThanOrEqual(before + 3600);
  expect(held[1].expiration).toBeLessThanOrEqual(nowSeconds() + 3600);
  let catalog = (await store().get(t.h.connectionId, ns))!;
  const bytes = (name: string, metadata: unknown) => Buffer.byteLength(name) + Buffer.byteLength(JSON.stringify(metadata));
  expect(catalog.keyCount).toBe(2);
  expect(catalog.bytes).toBe(bytes("a", { tag: "changed", more: "yes" }) + bytes("b", { tag: "y" }));

  await t.h.upstream.deleteKey(ns, "a");
  expect((await catalogKeys(ns)).map((k) => k.name)).toEqual(["b"]);
  catalog = (await store().get(t.h.connectionId, ns))!;
  expect(catalog).toMatchObject({ keyCount: 1, bytes: bytes("b", { tag: "y" }) });
});

test("bulk writes leave out the keys the upstream refused; bulk deletes too", async () => {
  const ns = await newNamespace("own-bulk");
  await indexed(ns);
  t.kv.faults.update({ failKeys: "^refused" });
  try {
    const written = await t.h.upstream.bulkWrite(ns, [
      { key: "ok/1", value: "v", metadata: { n: 1 } },
      { key: "refused/1", value: "v" },
      { key: "ok/2", value: "v", expiration: nowSeconds() + 7200 },
    ]);
    expect(written.unsuccessfulKeys).toEqual(["refused/1"]);
    expect((await catalogKeys(ns)).map((k) => k.name)).toEqual(["ok/1", "ok/2"]);
    await t.h.upstream.bulkWrite(ns, [{ key: "refused/2", value: "v" }]).catch(() => null);
    const deleted = await t.h.upstream.bulkDelete(ns, ["ok/1", "refused/1"]);
    expect(deleted.unsuccessfulKeys).toEqual(["refused/1"]);
  } finally {
    t.kv.faults.reset();
  }
  expect((await catalogKeys(ns)).map((k) => k.name)).toEqual(["ok/2"]);
  expect((await store().get(t.h.connectionId, ns))!.keyCount).toBe(1);
});

test("a purge job and an import job change the catalog as they go", async () => {
  const ns = await newNamespace("own-jobs");
  await t.h.upstream.bulkWrite(
    ns,
    Array.from({ length: 3000 }, (_, i) => ({
      key: `p/${String(i).padStart(4, "0")}`,
      value: "v",
      metadata: { tag: i % 3 ? "keep" : "old" },
    })),
  );
  await indexed(ns);
  const purge = await startJob({
    services: t.h.services,
    user: "tester",
    connectionId: t.h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { metadata: [{ field: "tag", op: "equals", value: "old" }] } },
  });
  expect((await waitForJob(t.h, purge.id)).counters.succeeded).toBe(1000);
  let held = await catalogKeys(ns);
  expect(held.length).toBe(2000);
  expect(held.every((k) => (k.metadata as { tag: string }).tag === "keep")).toBe(true);

  const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ key: `imported/${i}`, value: "v", metadata: { from: "file" } }));
  const { uploadId } = await saveImportUpload({ services: t.h.services, body: [Buffer.from(`${lines.join("\n")}\n`)] });
  const imported = await startJob({
    services: t.h.services,
    user: "tester",
    connectionId: t.h.connectionId,
    namespaceId: ns,
    kind: "import",
    payload: { uploadId, format: "ndjson", onCollision: "overwrite" },
  });
  expect((await waitForJob(t.h, imported.id)).state).toBe("succeeded");
  held = await catalogKeys(ns);
  expect(held.length).toBe(2500);
  expect(held.filter((k) => k.name.startsWith("imported/")).every((k) => (k.metadata as { from: string }).from === "file")).toBe(true);
  expect((await store().get(t.h.connectionId, ns))!.keyCount).toBe(2500);
});

test("a namespace deleted through kvdeck takes its catalog with it; a namespace without one costs no row", async () => {
  const ns = await newNamespace("own-gone");
  await t.h.upstream.putValue(ns, "a", "1");
  const catalog = await indexed(ns);
  await t.h.upstream.deleteNamespace(ns);
  expect(await store().get(t.h.connectionId, ns)).toBeNull();
  expect(await store().byId(catalog.id)).toBeNull();

  const plain = await newNamespace("own-none");
  await t.h.upstream.putValue(plain, "x", "1");
  await t.h.upstream.deleteKey(plain, "x");
  expect(await store().get(t.h.connectionId, plain)).toBeNull();
});

test("a scheduled catalog gets one refresh queued when due, never two", async () => {
  const ns = await newNamespace("own-schedule");
  await t.h.upstream.putValue(ns, "a", "1");
  const catalog = await indexed(ns);
  const runner = t.h.jobs.runner!;
  expect(await runner.checkSchedule()).toBe(0); // no schedule
  expect(await store().setSchedule(t.h.connectionId, ns, 1)).toBe(true);
  // Hold the refresh's listing so it stays unfinished while the schedule is checked again.
  t.kv.faults.update({ holdListsAfter: 0 });
  try {
    expect(await runner.checkSchedule()).toBe(1);
    expect(await runner.checkSchedule()).toBe(0);
  } finally {
    t.kv.faults.reset();
  }
  const jobs = await t.h.jobs.store.list({ limit: 10, connectionId: t.h.connectionId, namespaceId: ns });
  const refreshes = jobs.filter((j) => j.kind === "index" && j.createdBy === "schedule");
  expect(refreshes.length).toBe(1);
  expect((await waitForJob(t.h, refreshes[0].id)).state).toBe("succeeded");
  expect((await store().byId(catalog.id))!.scan).toBe(2);
});

test("names and metadata with NUL and SOH are kept exactly", async () => {
  const catalog = await store().ensure(t.h.connectionId, await newNamespace("own-nul"));
  const begun = (await store().beginScan(catalog.id, "job-nul"))!;
  const keys: CatalogEntry[] = [
    { name: "\u0000" },
    { name: "a\u0000b", metadata: { "k\u0000": "v\u0000\u0001", list: ["\u0000"] } },
    { name: "a\u0001", expiration: 4_000_000_000 },
    { name: "a\u0001\u0001" },
  ];
  await store().upsertListed(catalog.id, begun.scan, keys);
  await store().finishScan(catalog.id, "job-nul");
  const held: CatalogEntry[] = [];
  for await (const page of store().allKeys(catalog.id)) held.push(...page);
  expect(held).toEqual(keys);
});
