// The states a key change shows while it is in flight, against the local KV API: a delete whose
// unsuccessful keys are sent again reads `retrying n/m` between the rounds (observed through the
// injected wait between rounds, so nothing is timed), and an edit reads `updating` (a create
// `creating`) while the upstream write is held.
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ResourceCache } from "~/cache/resource-cache.server";
import { keyScope } from "~/cache/scopes";
import type { Overlay } from "~/cache/types";
import { deleteKeys, INLINE_DELETE_RETRIES, writeKey, type KeyTarget } from "~/features/keys/mutations.server";
import { loadKeyPage } from "~/features/keys/page.server";
import { putKeySchema } from "~/kv/key-forms";
import type { KvUpstream } from "~/kv/upstream.server";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";
import { recordingClient } from "../helpers/upstream-client";

let kv: LocalKv;
let cache: ResourceCache;
let upstream: KvUpstream;

beforeAll(async () => {
  kv = await startLocalKv();
  cache = new ResourceCache(kv.db);
  ({ upstream } = recordingClient({ server: kv, timeoutMs: 600_000 }));
});
afterAll(() => kv.close());
afterEach(() => {
  kv.faults.reset();
});

async function seeded(keys: string[]) {
  const ns = (await kv.store.createNamespace(kv.accountId, `states-${crypto.randomUUID()}`))!.id;
  await kv.store.write(
    ns,
    keys.map((key) => ({ key, value: Buffer.from(`value of ${key}`), metadata: null, expiration: null })),
  );
  return ns;
}

const page = (namespaceId: string) =>
  loadKeyPage(cache, upstream, { accountId: kv.accountId, namespaceId, prefix: "", cursor: "", after: null });
const state = (mark: Overlay<unknown> | null) => mark && { status: mark.status, retryCount: mark.retryCount, maxRetries: mark.maxRetries };

describe("a delete whose unsuccessful keys are sent again", () => {
  test("shows them as `retrying 1/2` between the rounds, then as deleting once the upstream took them", async () => {
    const keys = ["r-1", "r-2", "r-3", "r-4"];
    const ns = await seeded(keys);
    const scope = keyScope(kv.accountId, ns);
    kv.setFaults({ failKeys: "^r-[24]$" });
    const between: { marks: unknown[]; rows: unknown[] }[] = [];
    const target: KeyTarget = {
      cache,
      upstream,
      namespaceId: ns,
      // The wait between the rounds: look, then lift the fault so the re-send succeeds.
      sleep: async () => {
        between.push({
          marks: await Promise.all(keys.map(async (k) => state(await cache.getOne(scope, k)))),
          rows: (await page(ns)).keys.map((k) => [k.name, k._meta?.status, k._meta?.retryCount, k._meta?.maxRetries]),
        });
        kv.faults.reset();
      },
    };
    const summary = await deleteKeys(target, keys);
    expect(summary).toMatchObject({ requested: 4, succeeded: 4, failed: [] });
    expect(INLINE_DELETE_RETRIES).toBe(2);
    expect(between).toEqual([
      {
        marks: [
          { status: "deleting", retryCount: 0, maxRetries: 0 },
          { status: "retrying", retryCount: 1, maxRetries: 2 },
          { status: "deleting", retryCount: 0, maxRetries: 0 },
          { status: "retrying", retryCount: 1, maxRetries: 2 },
        ],
        // The loader's rows: the deleted keys hidden, the ones being sent again shown with their state.
        rows: [
          ["r-2", "retrying", 1, 2],
          ["r-4", "retrying", 1, 2],
        ],
      },
    ]);
    // Taken on the re-send: they wait for the upstream to confirm, like the others (gone from it already here).
    expect(state(await cache.getOne(scope, "r-2"))).toEqual({ status: "deleting", retryCount: 1, maxRetries: 2 });
    expect((await page(ns)).keys).toEqual([]);
  });

  test("keys refused on every round end as errors after `retrying 2/2`", async () => {
    const ns = await seeded(["x-1", "x-2"]);
    const scope = keyScope(kv.accountId, ns);
    kv.setFaults({ failKeys: "^x-2$" });
    const seen: unknown[] = [];
    const summary = await deleteKeys(
      { cache, upstream, namespaceId: ns, sleep: async () => void seen.push(state(await cache.getOne(scope, "x-2"))) },
      ["x-1", "x-2"],
    );
    expect(seen).toEqual([
      { status: "retrying", retryCount: 1, maxRetries: 2 },
      { status: "retrying", retryCount: 2, maxRetries: 2 },
    ]);
    expect(summary.failed).toEqual([{ key: "x-2", error: expect.stringMatching(/did not delete this key/) }]);
    expect(await cache.getOne(scope, "x-2")).toMatchObject({ status: "error", error: summary.failed[0].error });
  });
});

/** The upstream with its value writes held until released. */
function holdingWrites(inner: KvUpstream) {
  let release!: () => void;
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const writing = new Promise<void>((resolve) => (arrived = resolve));
  const upstream: KvUpstream = {
    ...inner,
    accountId: inner.accountId,
    async putValue(...args) {
      arrived();
      await held;
      return inner.putValue(...args);
    },
  };
  return { upstream, release, writing };
}

describe("a key write in flight", () => {
  const form = (fields: Record<string, unknown>) => putKeySchema.parse({ intent: "put", expiry: "none", ...fields });

  test("an edit shows `updating` (not creating) while the upstream write is held", async () => {
    const ns = await seeded(["e-1"]);
    const scope = keyScope(kv.accountId, ns);
    const hold = holdingWrites(upstream);
    const pending = writeKey(
      { cache, upstream: hold.upstream, namespaceId: ns },
      form({ mode: "edit", name: "e-1", value: "new", metadata: '{"v":2}' }),
    );
    await hold.writing;
    expect(await cache.getOne(scope, "e-1")).toMatchObject({ intent: "update", status: "updating" });
    expect((await page(ns)).keys).toEqual([
      { name: "e-1", metadata: { v: 2 }, _meta: expect.objectContaining({ status: "updating", intent: "update" }) },
    ]);
    hold.release();
    const result = await pending;
    expect(result.ok && result.row._meta?.status).toBe("updating");
  });

  test("a create shows `creating` while the upstream write is held", async () => {
    const ns = await seeded([]);
    const hold = holdingWrites(upstream);
    const pending = writeKey({ cache, upstream: hold.upstream, namespaceId: ns }, form({ mode: "create", name: "c-1", value: "v" }));
    await hold.writing;
    expect(await cache.getOne(keyScope(kv.accountId, ns), "c-1")).toMatchObject({ intent: "create", status: "creating" });
    hold.release();
    expect((await pending).ok).toBe(true);
  });
});
