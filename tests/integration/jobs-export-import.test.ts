// Export then import reproduces a namespace exactly (text, JSON and binary values, metadata,
// expirations, unusual key names), in both file formats; malformed files are refused with line
// numbers before anything is written; the three collision policies do what they say.
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportFile, listJobErrors, saveImportUpload, startJob } from "~/jobs/api.server";
import type { DryRunResult, ExportResult, JobSnapshot } from "~/jobs/types";
import { type JobsHarness, startJobs, waitForJob } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

let kv: LocalKv;
let h: JobsHarness;
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  kv = await startLocalKv({ rateLimit: "2000/10s" });
  h = await startJobs(kv, { budget: "2000/10s" });
});
afterAll(async () => {
  await h.close();
  await kv.close();
});

const newNamespace = async (title: string) => (await kv.store.createNamespace(kv.accountId, `${title}-${crypto.randomUUID()}`))!.id;

interface Entry {
  key: string;
  value: string;
  metadata: unknown;
  expiration: number | null;
}

/** Everything stored in a namespace, values as base64 so bytes compare exactly. */
async function dump(namespaceId: string): Promise<Entry[]> {
  const result = (await kv.db.execute(sql`
    select key, encode(value, 'base64') as value, metadata, expiration::float8 as expiration
    from local_kv_entries where namespace_id = ${namespaceId} order by key`)) as unknown as {
    rows: { key: string; value: string; metadata: string | null; expiration: number | null }[];
  };
  return result.rows.map((r) => ({
    key: r.key,
    value: r.value.replace(/\n/g, ""),
    metadata: r.metadata === null ? null : JSON.parse(r.metadata),
    expiration: r.expiration,
  }));
}

async function run(kind: "export" | "import", namespaceId: string, payload: unknown, dryRun = false): Promise<JobSnapshot> {
  const job = await startJob({ services: h.services, user: "tester", connectionId: h.connectionId, namespaceId, kind, payload, dryRun });
  return waitForJob(h, job.id);
}

async function upload(content: string | Buffer | fs.ReadStream): Promise<string> {
  const body = typeof content === "string" || Buffer.isBuffer(content) ? [Buffer.from(content)] : content;
  return (await saveImportUpload({ services: h.services, body })).uploadId;
}

/** A namespace with every kind of value the API can hold. */
async function seedVariety(namespaceId: string): Promise<number> {
  const items = [];
  for (let i = 0; i < 2500; i++) {
    items.push({
      key: `text/${String(i).padStart(5, "0")}`,
      value: Buffer.from(`value ${i} ${"x".repeat(i % 50)}`),
      metadata: i % 3 === 0 ? null : JSON.stringify({ i, tag: i % 2 ? "odd" : "even", nested: { list: [i, "ü"] } }),
      expiration: i % 4 === 0 ? now + 86_400 + i : null,
    });
  }
  for (let i = 0; i < 120; i++) {
    // Bytes that are not UTF-8 (0xff, lone continuation bytes), some empty, some long.
    const bytes = Buffer.alloc(i === 0 ? 0 : 16 + ((i * 37) % 3000));
    for (let b = 0; b < bytes.length; b++) bytes[b] = (i * 131 + b * 197 + 0x80) & 0xff;
    items.push({
      key: `bin/${i}.png`,
      value: bytes,
      metadata: JSON.stringify({ contentType: "image/png" }),
      expiration: i % 5 === 0 ? now + 7200 : null,
    });
  }
  items.push(
    { key: "unicode/🚀 launch", value: Buffer.from("rocket ✓"), metadata: JSON.stringify({ note: "emoji key" }), expiration: null },
    { key: "unicode/日本語", value: Buffer.from("テキスト"), metadata: null, expiration: null },
    { key: "text-with-replacement-char", value: Buffer.from("a real \uFFFD in valid UTF-8"), metadata: null, expiration: null },
    {
      key: "json",
      value: Buffer.from(JSON.stringify({ a: [1, 2, { b: null }] }, null, 2)),
      metadata: JSON.stringify({ big: "m".repeat(900) }),
      expiration: null,
    },
    { key: "empty", value: Buffer.alloc(0), metadata: null, expiration: null },
    {
      key: 'quotes "and" \\ backslashes, U+2028\u2028 and U+202E\u202E',
      value: Buffer.from('{"not": "parsed"'),
      metadata: null,
      expiration: null,
    },
  );
  await kv.store.write(namespaceId, items);
  return items.length;
}

describe("round trip", () => {
  let source: string;
  let count: number;
  beforeAll(async () => {
    source = await newNamespace("source");
    count = await seedVariety(source);
  });

  test.each(["ndjson", "json"] as const)("export (%s) then import into an empty namespace reproduces it exactly", async (format) => {
    const exported = await run("export", source, { format, values: true });
    expect(exported.state).toBe("succeeded");
    expect(exported.counters).toMatchObject({ matched: count, succeeded: count, failed: 0 });
    const result = exported.result as ExportResult;
    expect(result).toMatchObject({ format, keys: count });

    const file = (await exportFile({ services: h.services, jobId: exported.id }))!;
    expect(file.size).toBe(result.bytes);
    expect(file.name).toMatch(format === "ndjson" ? /\.ndjson$/ : /\.json$/);
    const text = fs.readFileSync(file.path, "utf8");
    if (format === "ndjson") expect(text.trimEnd().split("\n")).toHaveLength(count);
    else expect(JSON.parse(text)).toHaveLength(count);
    const binaryLine = format === "ndjson" ? JSON.parse(text.split("\n").find((l) => l.includes('"bin/1.png"'))!) : null;
    if (binaryLine) expect(binaryLine).toMatchObject({ base64: true, metadata: { contentType: "image/png" } });

    const target = await newNamespace(`copy-${format}`);
    const imported = await run("import", target, { uploadId: await upload(fs.createReadStream(file.path)), format, onCollision: "fail" });
    expect(imported.state).toBe("succeeded");
    expect(imported.counters).toMatchObject({ matched: count, processed: count, succeeded: count, failed: 0, skipped: 0 });
    expect(await dump(target)).toEqual(await dump(source));
  });

  // A Worker's binding can write names the REST API refuses: the export keeps them, an import
  // of that file says which line it cannot write and writes nothing.
  test("a listed name with a line break is exported; importing it is refused by line, nothing written", async () => {
    const odd = await newNamespace("odd-names");
    await kv.store.write(
      odd,
      ["fine", "line\nbreak"].map((key) => ({ key, value: Buffer.from(`v ${key}`), metadata: null, expiration: null })),
    );
    const exported = await run("export", odd, { format: "ndjson", values: true });
    expect(exported.state).toBe("succeeded");
    const text = fs.readFileSync((await exportFile({ services: h.services, jobId: exported.id }))!.path, "utf8");
    expect(
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).key),
    ).toEqual(["fine", "line\nbreak"]);

    const target = await newNamespace("odd-copy");
    const imported = await run("import", target, { uploadId: await upload(text), format: "ndjson", onCollision: "fail" });
    expect(imported.state).toBe("failed");
    expect(imported.error).toMatch(/line 2: A key name cannot contain control characters; this one has U\+000A/);
    expect(await dump(target)).toEqual([]);
  });

  test("keys only: an export without values lists names, metadata and expirations", async () => {
    const exported = await run("export", source, { format: "ndjson", values: false, rule: { prefix: "text/0000" } });
    const lines = fs
      .readFileSync((await exportFile({ services: h.services, jobId: exported.id }))!.path, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(10);
    expect(lines[0]).toEqual({ key: "text/00000", expiration: now + 86_400 });
    expect(lines[1]).toEqual({ key: "text/00001", metadata: { i: 1, tag: "odd", nested: { list: [1, "ü"] } } });
    expect(exported.requestsUsed).toBe(1);
  });
});

describe("malformed files are refused, with line numbers, and nothing is written", () => {
  const cases: [string, "ndjson" | "json", string, RegExp[]][] = [
    [
      "NDJSON with a problem on most lines",
      "ndjson",
      [
        JSON.stringify({ key: "ok-1", value: "fine" }),
        "{not json",
        "",
        JSON.stringify({ key: "meta", value: "v", metadata: { blob: "m".repeat(1100) } }),
        JSON.stringify({ key: "b64", value: "not base64!", base64: true }),
        JSON.stringify({ key: "soon", value: "v", expiration: now + 10 }),
        JSON.stringify({ key: "k".repeat(600), value: "v" }),
        JSON.stringify({ key: "ok-1", value: "again" }),
        JSON.stringify({ key: "ttl", value: "v", expiration_ttl: 30 }),
        JSON.stringify({ key: "novalue" }),
        JSON.stringify({ key: "ok-2", value: "fine" }),
      ].join("\n"),
      [
        /^line 2: not valid JSON/,
        /^line 4: Metadata is at most 1024 bytes/,
        /^line 5: "value" is not valid base64/,
        /^line 6: An expiration must be at least 60 seconds/,
        /^line 7: A key name is at most 512 bytes/,
        /^line 8: duplicate key \(first at line 1\)/,
        /^line 9: An expiration TTL/,
        /^line 10: "value" must be a string/,
      ],
    ],
    ["a JSON file that is not an array", "json", '{"key": "a", "value": "b"}', [/^line 1: a wrangler bulk file is a JSON array/]],
    [
      "a truncated JSON array",
      "json",
      '[\n  {"key": "a", "value": "b"},\n  {"key": "c", "val',
      [/^line 3: the file ends inside an element/],
    ],
    [
      "a JSON array with a bad element",
      "json",
      '[\n {"key": "a", "value": "b"},\n {"key": "", "value": "c"},\n 42\n]',
      [/^line 3: A key name cannot be empty/, /^line 4: each item must be an object/],
    ],
  ];

  test.each(cases)("%s", async (_name, format, content, expected) => {
    const target = await newNamespace("refused");
    const job = await run("import", target, { uploadId: await upload(content), format, onCollision: "overwrite" });
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/refused, nothing was written/);
    expect(job.requestsUsed).toBe(0);
    expect(job.counters.processed).toBe(0);
    const { errors, total } = await listJobErrors({ services: h.services, jobId: job.id, limit: 100 });
    expect(total).toBe(expected.length);
    expected.forEach((pattern, i) => expect(errors[i].error).toMatch(pattern));
    expect(await dump(target)).toEqual([]);
  });
});

describe("collision policies", () => {
  const file = [
    ...["a", "b", "c", "d", "e"].map((k) => JSON.stringify({ key: k, value: `new ${k}` })),
    ...["x", "y", "z"].map((k) => JSON.stringify({ key: k, value: `new ${k}` })),
  ].join("\n");
  const seed = async () => {
    const ns = await newNamespace("collide");
    await kv.store.write(
      ns,
      ["x", "y", "z", "keep"].map((key) => ({ key, value: Buffer.from(`old ${key}`), metadata: null, expiration: null })),
    );
    return ns;
  };
  const values = async (ns: string) => Object.fromEntries((await dump(ns)).map((e) => [e.key, Buffer.from(e.value, "base64").toString()]));

  test("fail: refuses the import when a key exists, and writes nothing", async () => {
    const ns = await seed();
    const job = await run("import", ns, { uploadId: await upload(file), format: "ndjson", onCollision: "fail" });
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/3 of the file's keys already exist/);
    const { errors } = await listJobErrors({ services: h.services, jobId: job.id });
    expect(errors.map((e) => e.key).sort()).toEqual(["x", "y", "z"]);
    expect(await values(ns)).toEqual({ x: "old x", y: "old y", z: "old z", keep: "old keep" });
  });

  test("skip: writes only the new keys", async () => {
    const ns = await seed();
    const dry = await run("import", ns, { uploadId: await upload(file), format: "ndjson", onCollision: "skip" }, true);
    expect((dry.result as { dryRun: DryRunResult }).dryRun).toMatchObject({ matched: 8, collisions: 3 });
    const job = await run("import", ns, { uploadId: await upload(file), format: "ndjson", onCollision: "skip" });
    expect(job.state).toBe("succeeded");
    expect(job.counters).toMatchObject({ matched: 8, processed: 8, succeeded: 5, skipped: 3, failed: 0 });
    expect(await values(ns)).toEqual({
      a: "new a",
      b: "new b",
      c: "new c",
      d: "new d",
      e: "new e",
      x: "old x",
      y: "old y",
      z: "old z",
      keep: "old keep",
    });
  });

  test("overwrite: writes every key", async () => {
    const ns = await seed();
    const job = await run("import", ns, { uploadId: await upload(file), format: "ndjson", onCollision: "overwrite" });
    expect(job.state).toBe("succeeded");
    expect(job.counters).toMatchObject({ succeeded: 8, skipped: 0 });
    expect(await values(ns)).toEqual({
      a: "new a",
      b: "new b",
      c: "new c",
      d: "new d",
      e: "new e",
      x: "new x",
      y: "new y",
      z: "new z",
      keep: "old keep",
    });
  });
});
