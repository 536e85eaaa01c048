// The consistency delay (writes and deletes invisible until it has passed, in reads, lists and
// bulk reads alike) and real expiry, over HTTP.
import { afterEach, describe, expect, it, vi } from "vitest";
import { rawFailure, sdkFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";

const DELAY_MS = 1500;
const { kv, c } = useLocalKv({ consistencyDelayMs: DELAY_MS });
afterEach(() => {
  vi.useRealTimers();
  kv.store.consistencyDelayMs = DELAY_MS;
});

/**
 * Runs `change` with the clock stopped, so the checks that follow run "before the delay has
 * passed" however slow the machine is; `untilVisible` then moves the clock past the delay. Only
 * Date is faked: the server and the store read "now" from Date.now(), and nothing sleeps.
 */
async function timed(change: () => Promise<unknown>) {
  vi.useFakeTimers({ toFake: ["Date"] });
  await change();
  const accepted = Date.now();
  return {
    untilVisible: async () => vi.setSystemTime(accepted + DELAY_MS + 1),
  };
}

function ops(ns: string) {
  const account_id = kv.accountId;
  return {
    put: (key: string, value: string, extra: { expiration_ttl?: number } = {}) =>
      c.sdk.kv.namespaces.values.update(key, { account_id, namespace_id: ns, value, ...extra }),
    del: (key: string) => c.sdk.kv.namespaces.values.delete(key, { account_id, namespace_id: ns }),
    read: async (key: string): Promise<string | null> => {
      const res = await c.raw("GET", `${c.path(ns)}/values/${encodeURIComponent(key)}`);
      if (res.status === 404) return (await rawFailure(res)).code === 10009 ? null : "unexpected";
      return res.text();
    },
    names: async () => (await c.sdk.kv.namespaces.keys.list(ns, { account_id })).result.map((k) => k.name),
    bulkGet: async (keys: string[]) =>
      ((await c.sdk.kv.namespaces.bulkGet(ns, { account_id, keys })) as { values: Record<string, unknown> }).values,
    metadata: (key: string) => c.sdk.kv.namespaces.metadata.get(key, { account_id, namespace_id: ns }),
  };
}

describe(`consistency delay (${DELAY_MS} ms)`, () => {
  it("hides a write from reads, lists, bulk reads and metadata until the delay has passed", async () => {
    const o = ops(await c.namespace("consistency"));
    const write = await timed(async () => expect(await o.put("k", "v1")).toBeNull());
    expect(await o.read("k")).toBeNull();
    expect(await o.names()).toEqual([]);
    expect(await o.bulkGet(["k"])).toEqual({ k: null });
    expect(await sdkFailure(o.metadata("k"))).toMatchObject({ status: 404, code: 10009 });

    await write.untilVisible();
    expect(await o.read("k")).toBe("v1");
    expect(await o.names()).toEqual(["k"]);
    expect(await o.bulkGet(["k"])).toEqual({ k: "v1" });
  });

  it("hides a delete and an overwrite the same way; the old value stays readable meanwhile", async () => {
    const ns = await c.namespace("consistency");
    kv.store.consistencyDelayMs = 0;
    const o = ops(ns);
    await o.put("gone", "old");
    await o.put("changed", "old");
    kv.store.consistencyDelayMs = DELAY_MS;

    const changes = await timed(async () => {
      await o.del("gone");
      await c.sdk.kv.namespaces.bulkUpdate(ns, { account_id: kv.accountId, body: [{ key: "changed", value: "new" }] });
    });
    expect(await o.read("gone")).toBe("old");
    expect(await o.read("changed")).toBe("old");
    expect(await o.names()).toEqual(["changed", "gone"]);

    await changes.untilVisible();
    expect(await o.read("gone")).toBeNull();
    expect(await o.read("changed")).toBe("new");
    expect(await o.names()).toEqual(["changed"]);
  });

  it("applies changes in the order they were accepted, even after the delay is lowered to 0 at runtime", async () => {
    const o = ops(await c.namespace("consistency"));
    const older = await timed(() => o.put("k", "older"));
    const res = await c.raw("PUT", "/__kvdeck/consistency", { body: { delayMs: 0 } });
    expect(await res.json()).toMatchObject({ success: true, result: { delayMs: 0 } });
    expect(kv.store.consistencyDelayMs).toBe(0);
    await o.put("k", "newer");
    // "newer" queues behind "older" rather than showing first and being overwritten by it.
    expect(await o.read("k")).toBeNull();
    await older.untilVisible();
    expect(await o.read("k")).toBe("newer");
    // With nothing pending, a write at delay 0 is visible at once.
    await o.put("k", "newest");
    expect(await o.read("k")).toBe("newest");
  });

  it("reports and refuses consistency settings through the control endpoint", async () => {
    expect(await (await c.raw("GET", "/__kvdeck/consistency")).json()).toMatchObject({ result: { delayMs: DELAY_MS } });
    for (const body of [{ delayMs: -1 }, { delayMs: 1.5 }, { delayMs: "10" }, {}]) {
      expect(await rawFailure(await c.raw("PUT", "/__kvdeck/consistency", { body }))).toMatchObject({ status: 400, code: 10001 });
    }
    expect(kv.store.consistencyDelayMs).toBe(DELAY_MS);
    expect(await rawFailure(await c.raw("PUT", "/__kvdeck/consistency", { body: { delayMs: 0 }, token: "wrong-token" }))).toMatchObject({
      status: 403,
      code: 10000,
    });
  });

  it("keeps pending changes across a restart of the store: a new store over the database serves them", async () => {
    const ns = await c.namespace("consistency");
    const o = ops(ns);
    const write = await timed(() => o.put("k", "v"));
    // A new store over the same database: the pending change is in local_kv_pending, not in the
    // memory of the store that accepted it, so nothing has to be loaded first.
    const { LocalKvStore } = await import("../src/store");
    const restarted = new LocalKvStore(kv.db, DELAY_MS);
    expect(await restarted.get(ns, "k")).toBeNull();
    await write.untilVisible();
    expect((await restarted.get(ns, "k"))?.value.toString()).toBe("v");
  });
});

describe("expiry", () => {
  it("expires a key written with expiration_ttl 60 once 60 s have passed, and the sweep removes it", async () => {
    kv.store.consistencyDelayMs = 0;
    const ns = await c.namespace("expiry");
    const o = ops(ns);
    // Times relative to when the writes were sent and answered: under load they can be seconds apart.
    const sent = Date.now();
    await o.put("short", "v", { expiration_ttl: 60 });
    const answered = Date.now();
    await o.put("long", "v", { expiration_ttl: 3600 });
    await o.put("forever", "v");
    expect(await o.names()).toEqual(["forever", "long", "short"]);

    // Only Date moves: the server and the store read "now" from Date.now().
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(sent + 59_000);
    expect(await o.read("short")).toBe("v");
    vi.setSystemTime(answered + 61_000);
    expect(await o.read("short")).toBeNull();
    expect(await o.names()).toEqual(["forever", "long"]);
    expect(await o.bulkGet(["short", "long"])).toEqual({ short: null, long: "v" });
    expect(await kv.store.countKeys(ns)).toBe(3);
    expect(await kv.store.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await kv.store.countKeys(ns)).toBe(2);
  });
});
