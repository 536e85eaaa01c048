// Migration 0005 on a database that kvdeck ran before it: a pause request that lived inside a job's
// checkpoint JSON moves into `pause_requested`, and the write-ahead of batches in flight, borrowed
// job_keys rows ("<batch>.<n>\n<JSON array of keys>" in set `inflight`), moves into job_inflight
// with every key exactly as written (NUL, U+0001, backslashes, quotes, newlines included). Nothing
// else changes, and the database now refuses a kind or state the code does not define.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Database, type Db, openDatabase } from "~/db/client.server";
import { JobStore } from "~/jobs/store.server";
import { openTestDatabase, type TestDatabase } from "../helpers/db";

const MIGRATIONS = path.resolve("drizzle");
/** The last migration before typed job state. */
const BEFORE = 4;

/** The committed migrations up to BEFORE, in a folder of their own (drizzle reads meta/_journal.json). */
function migrationsBefore(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-migrations-"));
  fs.mkdirSync(path.join(dir, "meta"));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, "meta", "_journal.json"), "utf8")) as {
    entries: { idx: number; tag: string }[];
  };
  journal.entries = journal.entries.filter((entry) => entry.idx <= BEFORE);
  for (const { tag } of journal.entries) fs.copyFileSync(path.join(MIGRATIONS, `${tag}.sql`), path.join(dir, `${tag}.sql`));
  fs.writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify(journal));
  return dir;
}

/**
 * A database migrated up to BEFORE, and a way to open it again with every committed migration
 * (as kvdeck's next start does): a PGlite data dir, or a fresh database on the test server.
 */
async function oldDatabase(folder: string): Promise<{ db: Db; upgrade(): Promise<Database>; close(): Promise<void> }> {
  if (process.env.KVDECK_TEST_DATABASE_URL) {
    const test: TestDatabase = await openTestDatabase({ migrationsFolder: folder });
    return { db: test.db, upgrade: () => openDatabase({ url: test.url! }), close: () => test.close() };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-migrate-"));
  const first = await openDatabase({ pgliteDir: dir, migrationsFolder: folder });
  let closed = false;
  const closeFirst = async () => {
    if (!closed) await first.close();
    closed = true;
  };
  return {
    db: first.db,
    upgrade: async () => {
      await closeFirst();
      return openDatabase({ pgliteDir: dir });
    },
    close: async () => {
      await closeFirst();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The write-ahead rows exactly as the store before 0005 wrote them: ~1,000 characters of keys (as JSON) a row. */
async function writeAheadTheOldWay(db: Db, jobId: string, batch: number, keys: string[]) {
  const rows: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    rows.push(`${batch}.${rows.length}\n${JSON.stringify(chunk)}`);
    chunk = [];
    size = 0;
  };
  for (const key of keys) {
    const length = JSON.stringify(key).length + 1;
    if (chunk.length > 0 && size + length > 1000) flush();
    chunk.push(key);
    size += length;
  }
  if (chunk.length > 0) flush();
  await db.execute(sql`
    insert into job_keys (job_id, set, key, line)
    select ${jobId}, 'inflight', k collate "C", ${batch}::int from jsonb_array_elements_text(${JSON.stringify(rows)}::jsonb) as t(k)`);
  return rows.length;
}

async function insertOldJob(db: Db, state: string, checkpoint: unknown): Promise<string> {
  const id = crypto.randomUUID();
  await db.execute(sql`
    insert into jobs (id, kind, connection_id, namespace_id, payload, state, checkpoint, lease_owner, lease_expires_at)
    values (${id}, 'purge', 1, 'ns', '{"rule":{"prefix":"doomed/"}}'::jsonb, ${state},
      ${checkpoint === null ? null : JSON.stringify(checkpoint)}::jsonb, 'runner', now() + interval '1 minute')`);
  return id;
}

const count = async (db: Db, query: ReturnType<typeof sql>) => {
  const result: unknown = await db.execute(query);
  return Number((result as { rows: { n: number }[] }).rows[0].n);
};

/** What the database said when it refused a statement (drizzle wraps it as the error's cause). */
async function refusal(statement: Promise<unknown>): Promise<string> {
  try {
    await statement;
  } catch (error) {
    return String((error as Error).cause ?? error);
  }
  return "not refused";
}

/** Names that the old JSON text and the new escaped storage could get wrong. */
const ODD = [
  "\u0000",
  "a\u0000b",
  "\u0001",
  "\u0001\u0002",
  "\\u0000",
  "\\",
  "\\\u0000",
  '"quoted"',
  "a\nb",
  "ключ",
  "😀",
  "x".repeat(512),
];
const MANY = Array.from({ length: 3_000 }, (_, i) => `doomed/${String(i).padStart(6, "0")}`);

let folder: string;
let old: Awaited<ReturnType<typeof oldDatabase>>;
let upgraded: Database | null = null;

beforeAll(async () => {
  folder = migrationsBefore();
  old = await oldDatabase(folder);
});
afterAll(async () => {
  await upgraded?.close();
  await old?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

test("0005 moves pause requests into pause_requested and the write-ahead into job_inflight, losing nothing", async () => {
  const checkpoint = { steps: [], step: "delete", pipeline: { cursor: "c1", after: "doomed/000010", done: [], scanned: 11 }, data: {} };
  const pausing = await insertOldJob(old.db, "running", { ...checkpoint, pauseRequested: true });
  const onlyMark = await insertOldJob(old.db, "running", { pauseRequested: true });
  const running = await insertOldJob(old.db, "running", checkpoint);
  const nested = await insertOldJob(old.db, "paused", { data: { pauseRequested: true } });
  const fresh = await insertOldJob(old.db, "queued", null);
  expect(await writeAheadTheOldWay(old.db, pausing, 0, MANY)).toBeGreaterThan(10);
  await writeAheadTheOldWay(old.db, pausing, 3_000, ODD);
  await writeAheadTheOldWay(old.db, running, 7, ["only/one"]);
  await old.db.execute(
    sql`insert into job_keys (job_id, set, key, line) values (${running}, 'selected', 'kept/1', null), (${running}, 'existing', 'kept/2', null)`,
  );

  upgraded = await old.upgrade();
  const db = upgraded.db;
  const store = new JobStore(db);

  expect(await store.get(pausing)).toMatchObject({ state: "running", pauseRequested: true, checkpoint, leaseOwner: "runner" });
  expect(await store.get(onlyMark)).toMatchObject({ pauseRequested: true, checkpoint: {} });
  expect(await store.get(running)).toMatchObject({ pauseRequested: false, checkpoint });
  expect(await store.get(nested)).toMatchObject({ state: "paused", pauseRequested: false, checkpoint: { data: { pauseRequested: true } } });
  expect(await store.get(fresh)).toMatchObject({ state: "queued", pauseRequested: false, checkpoint: null });

  const batches = await store.inflight.batches(pausing);
  expect([...batches.keys()]).toEqual([0, 3_000]);
  expect(batches.get(0)).toEqual(MANY);
  expect(batches.get(3_000)).toEqual(ODD);
  expect(await store.inflight.batches(running)).toEqual(new Map([[7, ["only/one"]]]));
  expect(await count(db, sql`select count(*)::float8 as n from job_inflight`)).toBe(3);
  // The borrowed rows are gone; the key sets' own rows stay.
  expect(await count(db, sql`select count(*)::float8 as n from job_keys where set = 'inflight'`)).toBe(0);
  expect(await store.keys.page(running, "selected", null, 10)).toEqual([{ key: "kept/1", line: null }]);
  expect(await store.keys.count(running, "existing")).toBe(1);

  // Kinds, states and key sets are the code's lists (app/jobs/types.ts), checked by the database too.
  expect(await refusal(insertOldJob(db, "sleeping", null))).toMatch(/jobs_state_check/);
  expect(await refusal(db.execute(sql`update jobs set kind = 'shred' where id = ${fresh}`))).toMatch(/jobs_kind_check/);
  expect(await refusal(db.execute(sql`insert into job_keys (job_id, set, key) values (${running}, 'inflight', 'x')`))).toMatch(
    /job_keys_set_check/,
  );
});
