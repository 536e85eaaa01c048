// No key name, value or file traps a job: NUL bytes in an import file end the job with the
// problems in its error report (keys kept exactly, texts escaped); values with NUL bytes are
// written as they are; a key name with NUL that an upstream lists can be marked and cleared in the
// resource cache. A job whose writes are refused for good ends `failed` with a message instead of
// being taken over again and again, and a job whose runners keep dying without progress is failed
// after a bounded number of takeovers.
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { mergeKeys } from "~/features/keys/page.server";
import { escapeKeyText } from "~/db/key-text";
import { MAX_STALLED_TAKEOVERS } from "~/jobs/engine.server";
import { getJob, listJobErrors, resumeJob, saveImportUpload, startJob } from "~/jobs/api.server";
import type { KeyInfo, KvUpstream } from "~/kv/upstream.server";
import { type JobsHarness, countKeys, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";
import { listMarks } from "../helpers/marks";

let kv: LocalKv;
let h: JobsHarness;

beforeAll(async () => {
  kv = await startLocalKv();
  h = await startJobs(kv);
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await h.close();
  await kv.close();
});

const newNamespace = async (title: string) => (await kv.store.createNamespace(kv.accountId, `${title}-${crypto.randomUUID()}`))!.id;

async function importFile(namespaceId: string, content: Buffer) {
  const { uploadId } = await saveImportUpload({ services: h.services, body: [content] });
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId,
    kind: "import",
    payload: { uploadId, format: "ndjson", onCollision: "overwrite" },
  });
  return waitForJob(h, job.id);
}

test("an import whose keys hold NUL bytes ends failed, its report showing each key exactly and each text escaped", async () => {
  const ns = await newNamespace("nul-keys");
  const lines = [
    JSON.stringify({ key: "fine", value: "v" }),
    JSON.stringify({ key: "nul\u0000inside", value: "v" }),
    JSON.stringify({ key: "\u0000", value: "v" }),
    JSON.stringify({ key: "soh\u0001", value: "v" }),
    // A raw NUL byte in the line itself (not valid JSON).
    Buffer.concat([Buffer.from('{"key":"raw'), Buffer.from([0]), Buffer.from('","value":"v"}')]).toString("latin1"),
  ];
  const done = await importFile(ns, Buffer.from(`${lines.join("\n")}\n`, "latin1"));

  expect(done.state).toBe("failed");
  expect(done.attempts).toBe(1);
  expect(done.error).toMatch(/^The file was refused, nothing was written: 4 problems, the first at line 2: /);
  expect(done.error).not.toContain("\u0000");
  const { errors, total } = await listJobErrors({ services: h.services, jobId: done.id });
  expect(total).toBe(4);
  expect(errors.map((e) => e.key)).toEqual(["nul\u0000inside", "\u0000", "soh\u0001", ""]);
  expect(errors.map((e) => e.error.slice(0, 8))).toEqual(["line 2: ", "line 3: ", "line 4: ", "line 5: "]);
  expect(errors[0].error).toContain("U+0000");
  for (const e of errors) expect(e.error).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  expect(await countKeys(kv, ns)).toBe(0);
});

test("values with NUL bytes are imported exactly", async () => {
  const ns = await newNamespace("nul-values");
  const lines = [
    JSON.stringify({ key: "text", value: "a\u0000b" }),
    JSON.stringify({ key: "binary", value: Buffer.from([0, 1, 0, 255]).toString("base64"), base64: true }),
    JSON.stringify({ key: "meta", value: "m", metadata: { note: "x\u0000y" } }),
  ];
  const done = await importFile(ns, Buffer.from(`${lines.join("\n")}\n`));
  expect(done.state).toBe("succeeded");
  expect(done.counters).toMatchObject({ scanned: 3, matched: 3, processed: 3, succeeded: 3, failed: 0 });
  const rows = (await kv.db.execute(
    sql`select key, encode(value, 'hex') as value from local_kv_entries where namespace_id = ${ns} order by key`,
  )) as unknown as { rows: { key: string; value: string }[] };
  expect(rows.rows).toEqual([
    { key: "binary", value: "000100ff" },
    { key: "meta", value: "6d" },
    { key: "text", value: "610062" },
  ]);
});

test("a key name with NUL that an upstream lists is marked deleting, hidden, and cleared once no longer listed", async () => {
  const scope = `${kv.accountId}/nul-${crypto.randomUUID()}`;
  const names = ["a", "a\u0000", "a\u0000b", "a\u0001", "b"];
  const keys: KeyInfo[] = names.map((name) => ({ name }));
  const upstream = { getValue: async () => null } as unknown as KvUpstream;
  const cache = h.services.cache;
  await cache.markAsDeleting(scope, ["a\u0000", "a\u0001"], { opId: "op-nul" });
  expect((await listMarks(kv.db, scope)).map((o) => o.resourceId)).toEqual(["a\u0000", "a\u0001"]);
  // Stored escaped, so PostgreSQL accepts it and orders it by bytes.
  const stored = (await kv.db.execute(sql`select resource_id from overlays where scope = ${scope} order by resource_id`)) as unknown as {
    rows: { resource_id: string }[];
  };
  expect(stored.rows.map((r) => r.resource_id)).toEqual([escapeKeyText("a\u0000"), escapeKeyText("a\u0001")]);

  // Still listed: hidden, marks kept. A page range bounded by names with NUL selects the same marks.
  const listed = await mergeKeys(cache, upstream, { scope, namespaceId: "ns", keys, range: { prefix: "a", after: null, through: null } });
  expect(listed.items.map((k) => k.name)).toEqual(["a", "a\u0000b", "b"]);
  expect(listed.hidden).toBe(2);
  const ranged = await mergeKeys(cache, upstream, {
    scope,
    namespaceId: "ns",
    keys: keys.slice(1, 3),
    range: { after: "a", through: "a\u0000b" },
  });
  expect(ranged.items.map((k) => k.name)).toEqual(["a\u0000b"]);

  // No longer listed: confirmed, cleared.
  const gone = await mergeKeys(cache, upstream, {
    scope,
    namespaceId: "ns",
    keys: [keys[0], keys[2], keys[4]],
    range: { after: null, through: null },
  });
  expect(gone.confirmed.map((o) => o.resourceId).sort()).toEqual(["a\u0000", "a\u0001"]);
  expect(await listMarks(kv.db, scope)).toEqual([]);
});

test("a job whose checkpoint writes are refused for good ends failed with a message, once", async () => {
  const ns = await newNamespace("refused-writes");
  await kv.store.executeSeed(
    sql`insert into local_kv_entries (namespace_id, key, value) select ${ns}, 'k/' || i, convert_to('v', 'UTF8') from generate_series(1, 50) i`,
  );
  vi.spyOn(h.jobs.store, "checkpoint").mockRejectedValue(new Error('invalid byte sequence for encoding "UTF8": 0x00'));
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "export",
    payload: { format: "ndjson", values: true },
  });
  const done = await waitForJob(h, job.id);
  expect(done.state).toBe("failed");
  expect(done.attempts).toBe(1);
  expect(done.error).toBe('The job\'s progress could not be saved: invalid byte sequence for encoding "UTF8": 0x00');
  expect(done.finishedAt).not.toBeNull();
});

test(`a job taken over more than ${MAX_STALLED_TAKEOVERS} times without progress is failed with a message, not run again`, async () => {
  const ns = await newNamespace("stalled");
  // No runner looks for work while this test plays the runners that die.
  await h.jobs.stop();
  const job = await startJob({
    services: h.services,
    user: "tester",
    connectionId: h.connectionId,
    namespaceId: ns,
    kind: "purge",
    payload: { rule: { prefix: "x/" } },
  });
  // Runners that take the job and die at once: each lease has lapsed before the next one looks.
  for (let i = 0; i <= MAX_STALLED_TAKEOVERS; i++) expect((await h.jobs.store.lease(`dead-${i}`, -1_000))?.id).toBe(job.id);
  expect(await h.jobs.store.get(job.id)).toMatchObject({
    state: "running",
    attempts: MAX_STALLED_TAKEOVERS + 1,
    stalledTakeovers: MAX_STALLED_TAKEOVERS,
  });
  h.jobs.start();
  const done = await waitForJob(h, job.id);
  expect(done.state).toBe("failed");
  expect(done.attempts).toBe(MAX_STALLED_TAKEOVERS + 2);
  expect(done.error).toMatch(
    new RegExp(`taken over ${MAX_STALLED_TAKEOVERS + 1} times in a row after its runner stopped without saving any progress`),
  );
  // A person's resume starts the count again: the job runs (and, having nothing to purge, succeeds).
  await resumeJob({ services: h.services, jobId: job.id });
  const resumed = await waitForJob(h, job.id);
  expect(resumed.state).toBe("succeeded");
  expect(resumed.counters.processed).toBe(0);
  expect((await getJob({ services: h.services, jobId: job.id }))!.error).toBeNull();
});
