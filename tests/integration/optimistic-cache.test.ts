// The optimistic cache end to end: deleteKeys / writeKey mark and call the upstream, loadKeyPage
// merges the marks over fresh pages, against kvdeck's local KV API with a 10 s consistency delay
// (the upstream keeps listing a deleted key, and does not list a created one, for 10 s), a real
// ResourceCache on the same database and the real HTTP client.
//
// Every namespace is seeded before the delay is switched on; the slow cases (each waits the delay
// out once) run concurrently, each in a namespace of its own, so the file takes ~25 s, not ~60 s.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ResourceCache } from "~/cache/resource-cache.server";
import { keyScope } from "~/cache/scopes";
import type { KeyRow } from "~/features/keys/marks.server";
import { deleteKeys, writeKey } from "~/features/keys/mutations.server";
import { loadKeyPage } from "~/features/keys/page.server";
import { createHttpUpstream } from "~/kv/cloudflare.server";
import { putKeySchema } from "~/kv/key-forms";
import type { KvUpstream } from "~/kv/upstream.server";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

// Long enough that the checks meant to run before the upstream shows a change (at most a few
// seconds of work, 5.5 s of waiting) still do on a loaded machine; the tests run concurrently.
const DELAY_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

let kv: LocalKv;
let cache: ResourceCache;
let upstream: KvUpstream;
const requests: { method: string; path: string }[] = [];
/** Namespace id per case, seeded in beforeAll. */
const ns: Record<string, string> = {};

const names = (prefix: string, count: number, width = 4) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(width, "0")}`);

const SEEDS: Record<string, { keys: string[]; metadata?: (k: string) => unknown }> = {
  delete: { keys: names("d-", 10) },
  ttl: { keys: names("t-", 5) },
  create: { keys: names("c-", 10) },
  update: { keys: names("u-", 5), metadata: () => ({ v: 1 }) },
  valueOnly: { keys: names("v-", 5), metadata: () => ({ keep: true }) },
  failures: { keys: names("f-", 10) },
  bulk: { keys: names("b-", 25_000, 5) },
  batchFails: { keys: names("x-", 10_005, 5) },
  pages: { keys: names("p-", 2_500) },
};

beforeAll(async () => {
  kv = await startLocalKv({ consistencyDelayMs: 0 });
  cache = new ResourceCache(kv.db);
  const counting: typeof fetch = (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol !== "data:") requests.push({ method: init?.method ?? "GET", path: decodeURIComponent(url.pathname) });
    return fetch(input, init);
  };
  // These tests count requests: a slow machine must not turn one into a timed-out attempt and its
  // retry (the client's timeouts and retries are tested in upstream-client.test.ts).
  upstream = createHttpUpstream({ accountId: kv.accountId, apiToken: kv.token, baseUrl: kv.baseUrl, fetch: counting, timeoutMs: 600_000 });
  // Seeded with no delay (the store applies writes at once), then the delay goes on for the tests.
  for (const [name, seed] of Object.entries(SEEDS)) {
    const created = await kv.store.createNamespace(kv.accountId, `${name}-${crypto.randomUUID()}`);
    ns[name] = created!.id;
    await kv.store.write(
      created!.id,
      seed.keys.map((key) => ({
        key,
        value: Buffer.from(`value of ${key}`),
        metadata: seed.metadata ? JSON.stringify(seed.metadata(key)) : null,
        expiration: null,
      })),
    );
  }
  await kv.store.analyze();
  kv.store.consistencyDelayMs = DELAY_MS;
});
afterAll(() => kv.close());

const target = (namespaceId: string, ttlMs?: number) => ({ cache, upstream, namespaceId, ttlMs });
const scopeOf = (namespaceId: string) => keyScope(kv.accountId, namespaceId);
const page = (namespaceId: string, after: string | null = null, cursor = "") =>
  loadKeyPage(cache, upstream, { accountId: kv.accountId, namespaceId, prefix: "", cursor, after });
/** What the upstream itself lists now, no marks merged. */
const listedUpstream = async (namespaceId: string) => (await upstream.listKeys(namespaceId, { limit: 1000 })).keys.map((k) => k.name);
const namesOf = (rows: KeyRow[]) => rows.map((r) => r.name);
const rowOf = (rows: KeyRow[], name: string) => rows.find((r) => r.name === name);
const requestsTo = (namespaceId: string) => requests.filter((r) => r.path.includes(`/namespaces/${namespaceId}/`));
const putForm = (form: Record<string, unknown>) => putKeySchema.parse({ intent: "put", expiry: "none", ...form });

/**
 * Runs a change and returns guards on the consistency delay: `stillPending` asserts that checks
 * meant to run before the upstream shows the change really did; `untilVisible` sleeps until the
 * change is surely visible upstream.
 */
async function timed<T>(change: () => Promise<T>) {
  const sent = Date.now();
  const result = await change();
  const answered = Date.now();
  return {
    result,
    stillPending: () => expect(Date.now(), "the checks ran after the consistency delay had passed").toBeLessThan(sent + DELAY_MS),
    untilVisible: () => sleep(answered + DELAY_MS + 250 - Date.now()),
  };
}

describe.concurrent(`marks over a ${DELAY_MS / 1000} s consistency delay`, () => {
  test("deleted keys are hidden at once although the upstream still lists them; after the delay they are gone and the marks cleared", async ({
    expect,
  }) => {
    const id = ns.delete;
    const doomed = ["d-0001", "d-0004", "d-0007"];
    const before = requestsTo(id).length;
    const del = await timed(() => deleteKeys(target(id), doomed));
    expect(del.result).toMatchObject({ requested: 3, succeeded: 3, failed: [] });
    // One bulk request for the three, nothing else.
    expect(requestsTo(id).slice(before)).toEqual([{ method: "POST", path: expect.stringMatching(/\/bulk\/delete$/) }]);

    // "Reload": hidden, twice in a row (the marks are not consumed by the first merge).
    for (let i = 0; i < 2; i++) {
      const reload = await page(id);
      expect(namesOf(reload.keys)).toEqual(SEEDS.delete.keys.filter((k) => !doomed.includes(k)));
      expect(reload.hidden).toBe(3);
    }
    expect(await listedUpstream(id)).toEqual(SEEDS.delete.keys);
    expect((await cache.list(scopeOf(id))).map((m) => [m.resourceId, m.status])).toEqual(doomed.map((k) => [k, "deleting"]));
    del.stillPending();

    await del.untilVisible();
    expect(await listedUpstream(id)).toEqual(SEEDS.delete.keys.filter((k) => !doomed.includes(k)));
    const after = await page(id);
    expect(namesOf(after.keys)).toEqual(SEEDS.delete.keys.filter((k) => !doomed.includes(k)));
    expect(after.hidden).toBe(0);
    expect(after.keys.every((k) => k._meta === undefined)).toBe(true);
    expect(await cache.list(scopeOf(id))).toEqual([]);
  });

  test("a delete unconfirmed past its TTL comes back as an error; a retry hides it again and is confirmed after the delay", async ({
    expect,
  }) => {
    const id = ns.ttl;
    const first = await timed(() => deleteKeys(target(id, 1500), ["t-0002"]));
    expect(first.result.succeeded).toBe(1);
    expect(namesOf((await page(id)).keys)).not.toContain("t-0002");

    await sleep(1600);
    const expired = await page(id);
    const row = rowOf(expired.keys, "t-0002");
    expect(row?._meta).toMatchObject({ status: "error", intent: "delete", opId: first.result.opId });
    expect(row!._meta!.error).toMatch(/^Delete not confirmed/);
    // In its place, not appended.
    expect(namesOf(expired.keys)).toEqual(SEEDS.ttl.keys);
    expect(expired.hidden).toBe(0);
    const stored = await cache.getOne(scopeOf(id), "t-0002");
    expect(stored).toMatchObject({ status: "error", intent: "delete", opId: first.result.opId });
    expect(stored!.error).toBe(row!._meta!.error);
    // Stays an error on the next reload (not hidden again, not cleared while still listed).
    expect(rowOf((await page(id)).keys, "t-0002")?._meta?.status).toBe("error");
    first.stillPending();

    // Retry, with the normal TTL.
    const retry = await timed(() => deleteKeys(target(id), ["t-0002"]));
    expect(retry.result).toMatchObject({ succeeded: 1, failed: [] });
    const hiddenAgain = await page(id);
    expect(namesOf(hiddenAgain.keys)).toEqual(SEEDS.ttl.keys.filter((k) => k !== "t-0002"));
    expect(hiddenAgain.hidden).toBe(1);
    expect(await cache.getOne(scopeOf(id), "t-0002")).toMatchObject({ status: "deleting", error: null, opId: retry.result.opId });
    retry.stillPending();

    await retry.untilVisible();
    const gone = await page(id);
    expect(namesOf(gone.keys)).toEqual(SEEDS.ttl.keys.filter((k) => k !== "t-0002"));
    expect(gone.hidden).toBe(0);
    expect(await cache.list(scopeOf(id))).toEqual([]);
  });

  test("a created key shows as creating, in key order, before the upstream lists it; then it is listed and the mark cleared", async ({
    expect,
  }) => {
    const id = ns.create;
    const expiresIn = 3600;
    const create = await timed(() =>
      writeKey(
        target(id),
        putForm({ mode: "create", name: "c-0004a", value: "new", metadata: '{"b":2,"a":1}', expiry: "ttl", ttl: expiresIn }),
      ),
    );
    expect(create.result.ok).toBe(true);
    if (!create.result.ok) return;
    expect(create.result.row._meta?.status).toBe("creating");

    const reload = await page(id);
    expect(namesOf(reload.keys)).toEqual([...SEEDS.create.keys.slice(0, 5), "c-0004a", ...SEEDS.create.keys.slice(5)]);
    const row = rowOf(reload.keys, "c-0004a")!;
    expect(row._meta).toMatchObject({ status: "creating", intent: "create" });
    expect(row.metadata).toEqual({ a: 1, b: 2 });
    expect(Math.abs(row.expiration! - (Math.floor(Date.now() / 1000) + expiresIn))).toBeLessThanOrEqual(5);
    expect(await listedUpstream(id)).not.toContain("c-0004a");

    // Creating it again while it is pending, or creating a key that exists, is refused and sends no write.
    const puts = () => requestsTo(id).filter((r) => r.method === "PUT").length;
    const putsBefore = puts();
    const again = await writeKey(target(id), putForm({ mode: "create", name: "c-0004a", value: "other" }));
    expect(again).toEqual({ ok: false, error: "A key with this name already exists. Open it to edit it.", field: "name" });
    const existing = await writeKey(target(id), putForm({ mode: "create", name: "c-0003", value: "clobbered", metadata: '{"x":1}' }));
    expect(existing).toEqual({ ok: false, error: "A key with this name already exists. Open it to edit it.", field: "name" });
    expect(puts()).toBe(putsBefore);
    expect(await cache.getOne(scopeOf(id), "c-0003")).toBeNull();
    expect((await cache.getOne(scopeOf(id), "c-0004a"))?.opId).toBe(create.result.row._meta?.opId);
    create.stillPending();

    await create.untilVisible();
    expect(await listedUpstream(id)).toContain("c-0004a");
    const after = await page(id);
    expect(namesOf(after.keys)).toEqual([...SEEDS.create.keys.slice(0, 5), "c-0004a", ...SEEDS.create.keys.slice(5)]);
    // The metadata and expiry the upstream lists confirm it: plain row, mark gone.
    expect(rowOf(after.keys, "c-0004a")!._meta).toBeUndefined();
    expect(await cache.list(scopeOf(id))).toEqual([]);
    // The refused create wrote nothing.
    expect(new TextDecoder().decode((await upstream.getValue(id, "c-0003"))!.bytes)).toBe("value of c-0003");
    expect(rowOf(after.keys, "c-0003")!.metadata).toBeUndefined();
  });

  test("a metadata edit shows the new metadata as updating until the upstream lists it, then is confirmed and cleared", async ({
    expect,
  }) => {
    const id = ns.update;
    const edit = await timed(() =>
      writeKey(target(id), putForm({ mode: "edit", name: "u-0002", value: "value of u-0002", metadata: '{"v":2}' })),
    );
    expect(edit.result.ok).toBe(true);

    const reload = await page(id);
    expect(namesOf(reload.keys)).toEqual(SEEDS.update.keys);
    expect(rowOf(reload.keys, "u-0002")).toMatchObject({ metadata: { v: 2 }, _meta: { status: "updating", intent: "update" } });
    // Only the edited row carries a mark.
    expect(reload.keys.filter((k) => k._meta)).toHaveLength(1);
    expect((await upstream.listKeys(id, {})).keys.find((k) => k.name === "u-0002")?.metadata).toEqual({ v: 1 });

    // Past the read-back age the value already matches (it did not change), but the listing still
    // shows the old metadata: not confirmed yet.
    await sleep(5_500);
    const midway = await page(id);
    expect(rowOf(midway.keys, "u-0002")).toMatchObject({ metadata: { v: 2 }, _meta: { status: "updating" } });
    edit.stillPending();

    await edit.untilVisible();
    const after = await page(id);
    expect(rowOf(after.keys, "u-0002")).toEqual({ name: "u-0002", metadata: { v: 2 } });
    expect(await cache.list(scopeOf(id))).toEqual([]);
  });

  test("a value-only edit (the listing cannot show it) is confirmed by reading the value back, only once it is there", async ({
    expect,
  }) => {
    const id = ns.valueOnly;
    const valueReads = () => requestsTo(id).filter((r) => r.method === "GET" && r.path.includes("/values/")).length;
    const edit = await timed(() =>
      writeKey(target(id), putForm({ mode: "edit", name: "v-0003", value: "new value", metadata: '{"keep":true}' })),
    );
    expect(edit.result.ok).toBe(true);

    // The listing already matches the expectation (same metadata, no expiry), yet the row stays
    // "updating": the value change is not confirmed, and too young to read back.
    const reload = await page(id);
    expect(rowOf(reload.keys, "v-0003")?._meta?.status).toBe("updating");
    expect(valueReads()).toBe(0);

    // Old enough to read back, but the upstream still serves the old value: still updating.
    await sleep(5_500);
    const midway = await page(id);
    expect(rowOf(midway.keys, "v-0003")?._meta?.status).toBe("updating");
    expect(valueReads()).toBe(1);
    expect(await cache.getOne(scopeOf(id), "v-0003")).toMatchObject({ status: "updating" });
    edit.stillPending();

    await edit.untilVisible();
    const after = await page(id);
    expect(valueReads()).toBe(2);
    expect(rowOf(after.keys, "v-0003")).toEqual({ name: "v-0003", metadata: { keep: true } });
    expect(await cache.list(scopeOf(id))).toEqual([]);
  });
});

describe("marks without waiting", () => {
  test("one key of a batch refused: only it comes back, as an error; the other four stay hidden", async () => {
    const id = ns.failures;
    const batch = names("f-", 5);
    kv.setFaults({ failKeys: "^f-0002$" });
    let result;
    try {
      result = await deleteKeys(target(id), batch);
    } finally {
      kv.faults.reset();
    }
    expect(result).toMatchObject({ requested: 5, succeeded: 4 });
    expect(result.failed).toEqual([{ key: "f-0002", error: expect.stringMatching(/did not delete this key/) }]);

    const reload = await page(id);
    expect(namesOf(reload.keys)).toEqual(["f-0002", ...names("f-", 10).slice(5)]);
    expect(reload.hidden).toBe(4);
    expect(rowOf(reload.keys, "f-0002")!._meta).toMatchObject({ status: "error", intent: "delete", error: result.failed[0].error });
    expect(reload.keys.filter((k) => k._meta)).toHaveLength(1);
    const marks = await cache.list(scopeOf(id));
    expect(marks.map((m) => [m.resourceId, m.status])).toEqual(batch.map((k) => [k, k === "f-0002" ? "error" : "deleting"]));

    // Retrying the one that failed hides it again.
    const retry = await deleteKeys(target(id), ["f-0002"]);
    expect(retry).toMatchObject({ succeeded: 1, failed: [] });
    const again = await page(id);
    expect(namesOf(again.keys)).toEqual(names("f-", 10).slice(5));
    expect(again.hidden).toBe(5);
  });

  test("a single-key delete the upstream refuses carries the upstream's error on the key's mark", async () => {
    const id = ns.failures;
    kv.setFaults({ failKeys: "^f-0009$" });
    let result;
    try {
      result = await deleteKeys(target(id), ["f-0009"]);
    } finally {
      kv.faults.reset();
    }
    expect(result.succeeded).toBe(0);
    expect(result.failed).toEqual([{ key: "f-0009", error: expect.stringContaining("kvdeck fault injection: failKeys") }]);
    const reload = await page(id);
    expect(rowOf(reload.keys, "f-0009")!._meta).toMatchObject({ status: "error", error: result.failed[0].error });
  });

  test("an edit the upstream refuses leaves no mark behind and says why", async () => {
    const id = ns.failures;
    kv.setFaults({ failKeys: "^f-0008$" });
    let result;
    try {
      result = await writeKey(target(id), putForm({ mode: "edit", name: "f-0008", value: "new", metadata: '{"v":2}' }));
    } finally {
      kv.faults.reset();
    }
    expect(result).toEqual({ ok: false, error: expect.stringContaining("kvdeck fault injection: failKeys") });
    expect(await cache.getOne(scopeOf(id), "f-0008")).toBeNull();
    expect(rowOf((await page(id)).keys, "f-0008")).toEqual({ name: "f-0008" });
  });

  test("a bulk request that fails as a whole turns only its own batch's keys into errors", async () => {
    const id = ns.batchFails;
    // The first batch (10,000 keys) goes through; every attempt at the second (5 keys) gets a 500.
    let smallBatchAttempts = 0;
    const secondBatchFails: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const keys = url.endsWith("/bulk/delete") && typeof init?.body === "string" ? (JSON.parse(init.body) as string[]) : null;
      if (keys && keys.length === 5) {
        smallBatchAttempts++;
        const body = { success: false, errors: [{ code: 10043, message: "Internal error" }], messages: [], result: null };
        return Promise.resolve(new Response(JSON.stringify(body), { status: 500, headers: { "content-type": "application/json" } }));
      }
      return fetch(input, init);
    };
    const flaky = createHttpUpstream({
      accountId: kv.accountId,
      apiToken: kv.token,
      baseUrl: kv.baseUrl,
      fetch: secondBatchFails,
      retries: 1,
    });
    const result = await deleteKeys({ cache, upstream: flaky, namespaceId: id }, SEEDS.batchFails.keys);
    expect(smallBatchAttempts).toBe(2); // the second batch, then its one retry
    expect(result).toMatchObject({ requested: 10_005, succeeded: 10_000 });
    expect(result.failed).toEqual(names("x-1000", 5, 1).map((key) => ({ key, error: "Internal error" })));

    const first = await page(id);
    expect(first.keys).toEqual([]);
    expect(first.hidden).toBe(1000);
    const tail = await loadKeyPage(cache, upstream, {
      accountId: kv.accountId,
      namespaceId: id,
      prefix: "x-1000",
      cursor: "",
      after: null,
    });
    expect(namesOf(tail.keys)).toEqual(names("x-1000", 5, 1));
    expect(tail.keys.every((k) => k._meta?.status === "error" && k._meta.error === "Internal error")).toBe(true);
    expect((await cache.list(scopeOf(id))).filter((m) => m.status === "error")).toHaveLength(5);
  });

  test("a bulk delete of 25,000 keys goes out as 3 bulk requests and hides every one of them", async () => {
    const id = ns.bulk;
    const all = SEEDS.bulk.keys;
    const before = requestsTo(id).length;
    const result = await deleteKeys(target(id), all);
    expect(result).toMatchObject({ requested: 25_000, succeeded: 25_000, failed: [] });
    const sent = requestsTo(id).slice(before);
    expect(sent).toHaveLength(3);
    expect(sent.every((r) => r.method === "POST" && r.path.endsWith("/bulk/delete"))).toBe(true);
    expect(await cache.list(scopeOf(id))).toHaveLength(25_000);

    // Every page the upstream still lists comes back empty, all hidden, and paging goes on.
    let after: string | null = null;
    let cursor = "";
    let pages = 0;
    let hidden = 0;
    do {
      const p = await page(id, after, cursor);
      expect(p.keys).toEqual([]);
      hidden += p.hidden;
      pages++;
      after = p.pageEnd;
      cursor = p.cursor;
    } while (cursor !== "");
    expect(pages).toBe(25);
    expect(hidden).toBe(25_000);
    // The upstream has not applied them yet: nothing was cleared.
    expect(await cache.list(scopeOf(id))).toHaveLength(25_000);
  });

  test("pages of 1,000 over 2,500 keys: each created key shows on its own page only, never twice", async () => {
    const id = ns.pages;
    // Before the first key, on a page boundary (between page 1's last and page 2's first), in the
    // middle of page 2, and after the last key.
    const creates = ["a-first", "p-0999a", "p-1500a", "q-last"];
    for (const name of creates) {
      const result = await writeKey(target(id), putForm({ mode: "create", name, value: name }));
      expect(result.ok, name).toBe(true);
    }

    const p1 = await page(id);
    const p2 = await page(id, p1.pageEnd, p1.cursor);
    const p3 = await page(id, p2.pageEnd, p2.cursor);
    expect(p1.pageEnd).toBe("p-0999");
    expect(p2.pageEnd).toBe("p-1999");
    expect(p3.cursor).toBe("");

    const seeded = SEEDS.pages.keys;
    expect(namesOf(p1.keys)).toEqual(["a-first", ...seeded.slice(0, 1000)]);
    expect(namesOf(p2.keys)).toEqual(["p-0999a", ...seeded.slice(1000, 1501), "p-1500a", ...seeded.slice(1501, 2000)]);
    expect(namesOf(p3.keys)).toEqual([...seeded.slice(2000), "q-last"]);

    const everything = [...p1.keys, ...p2.keys, ...p3.keys];
    for (const name of creates) {
      const shown = everything.filter((k) => k.name === name);
      expect(shown, name).toHaveLength(1);
      expect(shown[0]._meta?.status, name).toBe("creating");
    }
    expect(everything.filter((k) => k._meta)).toHaveLength(creates.length);
    expect(await listedUpstream(id)).not.toContain("p-1500a");

    // A prefix view shows only the marks under its prefix.
    const prefixed = await loadKeyPage(cache, upstream, {
      accountId: kv.accountId,
      namespaceId: id,
      prefix: "p-150",
      cursor: "",
      after: null,
    });
    expect(namesOf(prefixed.keys)).toEqual([...seeded.slice(1500, 1501), "p-1500a", ...seeded.slice(1501, 1510)]);
    const none = await loadKeyPage(cache, upstream, { accountId: kv.accountId, namespaceId: id, prefix: "p-2", cursor: "", after: null });
    expect(namesOf(none.keys)).toEqual(seeded.slice(2000));
  });
});
