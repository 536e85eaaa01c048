// The one bulk apply, against the local KV API with injected faults, through the real HTTP client
// with its own retries off (the RetryPolicy under test retries). Waits are recorded, not slept.
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type LocalKv, startLocalKv } from "../../tests/helpers/local-kv";
import { bulkDelete, bulkPut, NOT_APPLIED, type BulkApplyOptions } from "./bulk-apply.server";
import { createHttpUpstream } from "./cloudflare.server";
import { UpstreamError } from "./errors";
import { BULK_MAX_KEYS } from "./limits";
import type { KvUpstream } from "./upstream.server";

let kv: LocalKv;
let upstream: KvUpstream;
/** Bulk requests the API received: how many keys each carried. */
const sent: number[] = [];

beforeAll(async () => {
  kv = await startLocalKv();
  const counting: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (/\/bulk(\/delete)?$/.test(url) && typeof init?.body === "string") sent.push((JSON.parse(init.body) as unknown[]).length);
    return fetch(input, init);
  };
  upstream = createHttpUpstream({ accountId: kv.accountId, apiToken: kv.token, baseUrl: kv.baseUrl, fetch: counting, retries: 0 });
});
afterAll(() => kv.close());
afterEach(() => {
  kv.faults.reset();
  sent.length = 0;
});

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, "0")}`);

async function seeded(keys: string[]) {
  const ns = (await kv.store.createNamespace(kv.accountId, `bulk-${crypto.randomUUID()}`))!.id;
  await kv.store.write(
    ns,
    keys.map((key) => ({ key, value: Buffer.from(key), metadata: null, expiration: null })),
  );
  return ns;
}

const listed = async (ns: string) => (await kv.store.listKeys(ns, { limit: 1000 })).keys.map((k) => k.name);

/** Options whose waits are recorded instead of slept. */
function options(overrides: Partial<BulkApplyOptions> = {}, retry: Partial<BulkApplyOptions["retry"]> = {}) {
  const waits: number[] = [];
  const opts: BulkApplyOptions = {
    retryRounds: 2,
    ...overrides,
    retry: { attempts: 3, sleep: async (ms) => void waits.push(ms), ...retry },
  };
  return { opts, waits };
}

describe("unsuccessful keys", () => {
  test("are sent again, only they, for retryRounds rounds; keys that never succeed fail as not applied", async () => {
    const keys = names("u-", 6);
    const ns = await seeded(keys);
    kv.setFaults({ failKeys: "^u-0000[13]$" });
    const rounds: { retry: number; of: number; keys: string[] }[] = [];
    const applied: string[] = [];
    const { opts, waits } = options({ onRetry: (r) => void rounds.push(r), onApplied: (k) => applied.push(...k) });
    const outcome = await bulkDelete(upstream, ns, keys, opts);
    expect(outcome).toEqual({
      succeeded: 4,
      failed: [
        { key: "u-00001", error: NOT_APPLIED },
        { key: "u-00003", error: NOT_APPLIED },
      ],
    });
    expect(sent).toEqual([6, 2, 2]);
    expect(rounds).toEqual([
      { retry: 1, of: 2, keys: ["u-00001", "u-00003"] },
      { retry: 2, of: 2, keys: ["u-00001", "u-00003"] },
    ]);
    expect(waits).toHaveLength(2);
    expect(applied.sort()).toEqual(["u-00000", "u-00002", "u-00004", "u-00005"]);
    expect(await listed(ns)).toEqual(["u-00001", "u-00003"]);
  });

  test("a key refused once and applied on the re-send counts as succeeded", async () => {
    const keys = names("o-", 4);
    const ns = await seeded(keys);
    kv.setFaults({ failKeys: "^o-00002$" });
    // The fault lifts before the re-send (the hook runs between the rounds).
    const { opts } = options({ onRetry: () => void kv.faults.reset(), notApplied: "never" });
    expect(await bulkDelete(upstream, ns, keys, opts)).toEqual({ succeeded: 4, failed: [] });
    expect(sent).toEqual([4, 1]);
    expect(await listed(ns)).toEqual([]);
  });

  test("with no retry rounds they fail at once with the caller's text", async () => {
    const ns = await seeded(names("z-", 2));
    kv.setFaults({ failKeys: "^z-00001$" });
    const { opts } = options({ retryRounds: 0, notApplied: "not deleted" });
    expect(await bulkDelete(upstream, ns, names("z-", 2), opts)).toEqual({
      succeeded: 1,
      failed: [{ key: "z-00001", error: "not deleted" }],
    });
    expect(sent).toEqual([2]);
  });
});

describe("requests that fail", () => {
  test("a 5xx is retried with backoff as the policy says; then the error is thrown, or fails the request's keys", async () => {
    const ns = await seeded(names("e-", 3));
    kv.setFaults({ error: 1 });
    const thrown = options({}, { attempts: 3, backoffMs: (n) => 100 * (n + 1) });
    const error = await bulkDelete(upstream, ns, names("e-", 3), thrown.opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).kind).toBe("unavailable");
    expect(sent).toEqual([3, 3, 3]);
    expect(thrown.waits).toEqual([100, 200]);

    sent.length = 0;
    const described = options({ describeError: (e) => `failed: ${(e as Error).message}` }, { attempts: 2 });
    const outcome = await bulkDelete(upstream, ns, names("e-", 3), described.opts);
    expect(outcome.succeeded).toBe(0);
    expect(outcome.failed.map((f) => f.key)).toEqual(names("e-", 3));
    expect(outcome.failed.every((f) => f.error.startsWith("failed: "))).toBe(true);
    expect(sent).toEqual([3, 3]);
    kv.faults.reset();
    expect(await listed(ns)).toEqual(names("e-", 3));
  });

  test("a 429 waits out its Retry-After and the request goes again", async () => {
    const ns = await seeded(names("r-", 2));
    kv.setFaults({ burst429: 1 });
    const { opts, waits } = options(
      {},
      {
        attempts: 5,
        // The burst passes while the client waits.
        sleep: async (ms) => {
          waits.push(ms);
          kv.faults.reset();
        },
      },
    );
    expect(await bulkDelete(upstream, ns, names("r-", 2), opts)).toEqual({ succeeded: 2, failed: [] });
    expect(waits).toEqual([1000]);
    expect(sent).toEqual([2, 2]);
  });

  test("a write refused as a whole is split until the bad item stands alone; the others are written", async () => {
    const ns = await seeded([]);
    const items = names("w-", 5).map((key) => ({ key, value: key === "w-00003" ? "not base64!" : "dmFsdWU=", base64: true }));
    const { opts } = options();
    const outcome = await bulkPut(upstream, ns, items, opts);
    expect(outcome.succeeded).toBe(4);
    expect(outcome.failed).toEqual([{ key: "w-00003", error: expect.stringContaining("not valid base64") }]);
    expect(await listed(ns)).toEqual(["w-00000", "w-00001", "w-00002", "w-00004"]);
  });

  test("a stop between rounds throws the signal's reason; onApplied has told what was done", async () => {
    const keys = names("s-", 3);
    const ns = await seeded(keys);
    kv.setFaults({ failKeys: "^s-00000$" });
    const controller = new AbortController();
    const applied: string[] = [];
    const { opts } = options(
      { onApplied: (k) => applied.push(...k), onRetry: () => controller.abort(new Error("stopped")) },
      { signal: controller.signal },
    );
    await expect(bulkDelete(upstream, ns, keys, opts)).rejects.toThrow("stopped");
    expect(applied).toEqual(["s-00001", "s-00002"]);
    expect(sent).toEqual([3]);
  });
});

test(`more than ${BULK_MAX_KEYS.toLocaleString("en")} keys go out as one request per ${BULK_MAX_KEYS.toLocaleString("en")}`, async () => {
  const keys = names("b-", BULK_MAX_KEYS + 5);
  const ns = await seeded(keys);
  const { opts } = options();
  expect(await bulkDelete(upstream, ns, keys, opts)).toEqual({ succeeded: BULK_MAX_KEYS + 5, failed: [] });
  expect(sent).toEqual([BULK_MAX_KEYS, 5]);
});
