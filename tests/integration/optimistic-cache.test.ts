// The optimistic cache end to end, over a consistency delay: deleteKeys / writeKey mark and call
// the upstream, loadKeyPage merges the marks over fresh pages, against kvdeck's local KV API with a
// 30 s consistency delay (the upstream keeps listing a deleted key, and does not list a created
// one, that long), a real ResourceCache on the same database and the real HTTP client
// (tests/helpers/key-cache.ts). The cases that need no waiting are in optimistic-cache-now.test.ts.
//
// Every namespace is seeded before the delay is switched on; the slow cases (each waits the delay
// out once) run concurrently, each in a namespace of its own.
import { describe, expect, test } from "vitest";
import { ResourceCache } from "~/cache/resource-cache.server";
import { deleteKeys, writeKey } from "~/features/keys/mutations.server";
import { loadKeyPage } from "~/features/keys/page.server";
import { keyCacheHarness, names, namesOf, putForm, rowOf, type KeySeed } from "../helpers/key-cache";
import { listMarks } from "../helpers/marks";

// Long enough that the checks meant to run before the upstream shows a change (at most a few
// seconds of work, 5.5 s of waiting) still do on a loaded machine; the tests run concurrently.
const DELAY_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const SEEDS: Record<string, KeySeed> = {
  delete: { keys: names("d-", 10) },
  ttl: { keys: names("t-", 5) },
  create: { keys: names("c-", 10) },
  update: { keys: names("u-", 5), metadata: () => ({ v: 1 }) },
  valueOnly: { keys: names("v-", 5), metadata: () => ({ keep: true }) },
};
const h = keyCacheHarness(SEEDS, DELAY_MS);
const { ns, target, scopeOf, page, listedUpstream, requestsTo } = h;

/**
 * Runs a change and returns guards on the consistency delay: `stillPending` asserts that checks
 * meant to run before the upstream shows the change really did; `untilVisible` sleeps until the
 * change is surely visible h.upstream.
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
    expect((await listMarks(h.kv.db, scopeOf(id))).map((m) => [m.resourceId, m.status])).toEqual(doomed.map((k) => [k, "deleting"]));
    del.stillPending();

    await del.untilVisible();
    expect(await listedUpstream(id)).toEqual(SEEDS.delete.keys.filter((k) => !doomed.includes(k)));
    const after = await page(id);
    expect(namesOf(after.keys)).toEqual(SEEDS.delete.keys.filter((k) => !doomed.includes(k)));
    expect(after.hidden).toBe(0);
    expect(after.keys.every((k) => k._meta === undefined)).toBe(true);
    expect(await listMarks(h.kv.db, scopeOf(id))).toEqual([]);
  });

  test("a delete unconfirmed past its TTL comes back as an error; a retry hides it again and is confirmed after the delay", async ({
    expect,
  }) => {
    const id = ns.ttl;
    // The marks' clock is this test's own: the short TTL passes when the test moves it, however
    // slowly a loaded machine gets there (the upstream's consistency delay stays real time).
    let clock = Date.now();
    const cache = new ResourceCache(h.kv.db, { now: () => clock });
    const target = (ttlMs?: number) => ({ cache, upstream: h.upstream, namespaceId: id, ttlMs });
    const page = () => loadKeyPage(cache, h.upstream, { accountId: h.kv.accountId, namespaceId: id, prefix: "", cursor: "", after: null });
    const first = await timed(() => deleteKeys(target(1500), ["t-0002"]));
    expect(first.result.succeeded).toBe(1);
    expect(namesOf((await page()).keys)).not.toContain("t-0002");

    clock += 1600;
    const expired = await page();
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
    expect(rowOf((await page()).keys, "t-0002")?._meta?.status).toBe("error");
    first.stillPending();

    // Retry, with the normal TTL.
    const retry = await timed(() => deleteKeys(target(), ["t-0002"]));
    expect(retry.result).toMatchObject({ succeeded: 1, failed: [] });
    const hiddenAgain = await page();
    expect(namesOf(hiddenAgain.keys)).toEqual(SEEDS.ttl.keys.filter((k) => k !== "t-0002"));
    expect(hiddenAgain.hidden).toBe(1);
    expect(await cache.getOne(scopeOf(id), "t-0002")).toMatchObject({ status: "deleting", error: null, opId: retry.result.opId });
    retry.stillPending();

    await retry.untilVisible();
    const gone = await page();
    expect(namesOf(gone.keys)).toEqual(SEEDS.ttl.keys.filter((k) => k !== "t-0002"));
    expect(gone.hidden).toBe(0);
    expect(await listMarks(h.kv.db, scopeOf(id))).toEqual([]);
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
    expect(await h.cache.getOne(scopeOf(id), "c-0003")).toBeNull();
    expect((await h.cache.getOne(scopeOf(id), "c-0004a"))?.opId).toBe(create.result.row._meta?.opId);
    create.stillPending();

    await create.untilVisible();
    expect(await listedUpstream(id)).toContain("c-0004a");
    const after = await page(id);
    expect(namesOf(after.keys)).toEqual([...SEEDS.create.keys.slice(0, 5), "c-0004a", ...SEEDS.create.keys.slice(5)]);
    // The metadata and expiry the upstream lists confirm it: plain row, mark gone.
    expect(rowOf(after.keys, "c-0004a")!._meta).toBeUndefined();
    expect(await listMarks(h.kv.db, scopeOf(id))).toEqual([]);
    // The refused create wrote nothing.
    expect(new TextDecoder().decode((await h.upstream.getValue(id, "c-0003"))!.bytes)).toBe("value of c-0003");
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
    expect((await h.upstream.listKeys(id, {})).keys.find((k) => k.name === "u-0002")?.metadata).toEqual({ v: 1 });

    // Past the read-back age the value already matches (it did not change), but the listing still
    // shows the old metadata: not confirmed yet.
    await sleep(5_500);
    const midway = await page(id);
    expect(rowOf(midway.keys, "u-0002")).toMatchObject({ metadata: { v: 2 }, _meta: { status: "updating" } });
    edit.stillPending();

    await edit.untilVisible();
    const after = await page(id);
    expect(rowOf(after.keys, "u-0002")).toEqual({ name: "u-0002", metadata: { v: 2 } });
    expect(await listMarks(h.kv.db, scopeOf(id))).toEqual([]);
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
    expect(await h.cache.getOne(scopeOf(id), "v-0003")).toMatchObject({ status: "updating" });
    edit.stillPending();

    await edit.untilVisible();
    const after = await page(id);
    expect(valueReads()).toBe(2);
    expect(rowOf(after.keys, "v-0003")).toEqual({ name: "v-0003", metadata: { keep: true } });
    expect(await listMarks(h.kv.db, scopeOf(id))).toEqual([]);
  });
});
