// Several local KV API instances over one database (web instances and workers on PostgreSQL) must
// serve the same view under a consistency delay: a change accepted by one becomes visible through
// every other once it is due, because the pending changes live in local_kv_pending, not in the
// memory of the instance that accepted them.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import Cloudflare from "cloudflare";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/client.server";
import { type TestDatabase, openTestDatabase } from "../helpers/db";
import { type KvClients, kvClients } from "@kvdeck/local-kv/testing";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const DELAY_MS = 10_000;
const KEYS = 300;

function names(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);
}

/** Every key name through `c`, page by page (the SDK's auto-pagination stops at empty pages). */
async function listAll(c: { sdk: Cloudflare; accountId: string }, ns: string, prefix?: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.sdk.kv.namespaces.keys.list(ns, { account_id: c.accountId, prefix, cursor, limit: 1000 });
    out.push(...page.result.map((k) => k.name));
    cursor = (page as unknown as { result_info?: { cursor?: string } }).result_info?.cursor || undefined;
  } while (cursor);
  return out;
}

describe("two local KV API instances in one process over one database", () => {
  let one: LocalKv;
  let two: LocalKv;
  let c1: KvClients;
  let c2: KvClients;

  beforeAll(async () => {
    one = await startLocalKv({ consistencyDelayMs: DELAY_MS });
    // Same database, its own store, router and server: what a second web instance or a worker is.
    two = await startLocalKv({ consistencyDelayMs: DELAY_MS, db: one.db });
    c1 = kvClients(one);
    c2 = kvClients(two);
  });
  afterAll(async () => {
    await two.close();
    await one.close();
  });
  afterEach(() => {
    vi.useRealTimers();
    one.store.consistencyDelayMs = DELAY_MS;
    two.store.consistencyDelayMs = DELAY_MS;
    expect([...c1.violations.splice(0), ...c2.violations.splice(0)]).toEqual([]);
  });

  it("a bulk write through instance 1 shows through instance 2 once due; a purge through 2 matches every key", async () => {
    // Only Date moves: both stores read "now" from Date.now(), so no test waits out the delay.
    vi.useFakeTimers({ toFake: ["Date"] });
    const ns = await c1.namespace("multi");
    const account_id = one.accountId;
    const doomed = names("doomed/", KEYS);
    await c1.sdk.kv.namespaces.bulkUpdate(ns, {
      account_id,
      body: [...doomed.map((key) => ({ key, value: "v" })), { key: "kept", value: "v" }],
    });
    expect(await listAll(c2, ns)).toEqual([]);
    expect(await listAll(c1, ns)).toEqual([]);

    vi.setSystemTime(Date.now() + DELAY_MS + 1);
    // Instance 2 never saw the write, yet it serves it: the pending change was in the database.
    const matched = await listAll(c2, ns, "doomed/");
    expect(matched).toEqual(doomed);
    const read = await c2.raw("GET", `${c2.path(ns)}/values/${encodeURIComponent(doomed[7])}`);
    expect(await read.text()).toBe("v");

    // The purge a worker runs through instance 2: delete every key it listed.
    const deleted = await c2.sdk.kv.namespaces.bulkDelete(ns, { account_id, body: matched });
    expect(deleted).toMatchObject({ successful_key_count: KEYS, unsuccessful_keys: [] });
    expect(await listAll(c1, ns, "doomed/")).toEqual(doomed);
    vi.setSystemTime(Date.now() + DELAY_MS + 1);
    expect(await listAll(c1, ns)).toEqual(["kept"]);
    expect(await listAll(c2, ns)).toEqual(["kept"]);
  });

  it("orders changes across instances: a write at delay 0 through 2 queues behind an older one through 1", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const ns = await c1.namespace("multi-order");
    const account_id = one.accountId;
    await c1.sdk.kv.namespaces.values.update("k", { account_id, namespace_id: ns, value: "older" });
    two.store.consistencyDelayMs = 0;
    await c2.sdk.kv.namespaces.values.update("k", { account_id, namespace_id: ns, value: "newer" });
    // "newer" must not show first and then be overwritten by "older" when that one falls due.
    expect((await c2.raw("GET", `${c2.path(ns)}/values/k`)).status).toBe(404);
    vi.setSystemTime(Date.now() + DELAY_MS + 1);
    expect(await (await c1.raw("GET", `${c1.path(ns)}/values/k`)).text()).toBe("newer");
    expect(await (await c2.raw("GET", `${c2.path(ns)}/values/k`)).text()).toBe("newer");
    // With nothing pending any more, instance 2 at delay 0 writes straight through.
    await c2.sdk.kv.namespaces.values.update("k", { account_id, namespace_id: ns, value: "newest" });
    expect(await (await c1.raw("GET", `${c1.path(ns)}/values/k`)).text()).toBe("newest");
  });
});

// Two `npm run kv-api` processes over one PostgreSQL database. PGlite is one process per data
// directory, so there this cannot be run at all.
const postgresUrl = process.env.KVDECK_TEST_DATABASE_URL;
describe.skipIf(!postgresUrl)(
  "two kv-api processes over one PostgreSQL database (needs KVDECK_TEST_DATABASE_URL: PGlite is one process per data directory)",
  () => {
    const TSX = path.resolve("node_modules/.bin/tsx");
    const TOKEN = "multi-process-token-0123456789";
    const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
    const running: ChildProcess[] = [];
    let database: TestDatabase;

    beforeAll(async () => {
      // Opening it first applies the migrations once, before either process starts.
      database = await openTestDatabase();
    });
    afterAll(async () => {
      await Promise.all(running.splice(0).map(stop));
      await database.close();
    });

    async function startProcess(): Promise<{ sdk: Cloudflare; accountId: string; baseUrl: string }> {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of Object.keys(env)) if (/^(CLOUDFLARE_|KVDECK_)/.test(name)) delete env[name];
      Object.assign(env, {
        HOST: "127.0.0.1",
        KVDECK_KV_API_PORT: "0",
        DATABASE_URL: database.url!,
        KVDECK_LOCAL_API_TOKEN: TOKEN,
        KVDECK_LOCAL_ACCOUNT_ID: ACCOUNT,
        KVDECK_CONSISTENCY_DELAY_MS: String(60_000),
        KVDECK_RATE_LIMIT: "off",
      });
      const child = spawn(TSX, ["server/kv-api.ts"], { env });
      running.push(child);
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      child.stderr!.on("data", (d) => (out += d));
      const baseUrl = () => /CLOUDFLARE_API_BASE_URL=(\S+)/.exec(out)?.[1];
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (baseUrl() && /consistency delay/.test(out)) return resolve();
          if (child.exitCode !== null) return reject(new Error(`kv-api exited:\n${out}`));
        };
        child.stdout!.on("data", check);
        child.once("exit", () => reject(new Error(`kv-api exited:\n${out}`)));
      });
      const sdk = new Cloudflare({ apiToken: TOKEN, baseURL: baseUrl()!, maxRetries: 0 });
      return { sdk, accountId: ACCOUNT, baseUrl: baseUrl()! };
    }

    function stop(child: ChildProcess): Promise<void> {
      if (child.exitCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      return exited;
    }

    /** The delay passing, without waiting a minute: every pending change falls due now. */
    async function delayPasses(db: Db) {
      await db.execute(sql`update local_kv_pending set visible_at = 0`);
    }

    it("a write through process 1 is served by process 2 once due, and 2's purge matches every key", async () => {
      const [p1, p2] = await Promise.all([startProcess(), startProcess()]);
      const ns = (await p1.sdk.kv.namespaces.create({ account_id: ACCOUNT, title: "multi-process" })).id;
      const doomed = names("doomed/", KEYS);
      await p1.sdk.kv.namespaces.bulkUpdate(ns, { account_id: ACCOUNT, body: doomed.map((key) => ({ key, value: "v" })) });
      expect(await listAll(p2, ns)).toEqual([]);

      await delayPasses(database.db);
      const matched = await listAll(p2, ns, "doomed/");
      expect(matched).toEqual(doomed);
      const deleted = await p2.sdk.kv.namespaces.bulkDelete(ns, { account_id: ACCOUNT, body: matched });
      expect(deleted).toMatchObject({ successful_key_count: KEYS, unsuccessful_keys: [] });
      expect(await listAll(p1, ns)).toEqual(doomed);
      await delayPasses(database.db);
      expect(await listAll(p1, ns)).toEqual([]);
      expect(await listAll(p2, ns)).toEqual([]);
    });
  },
);
