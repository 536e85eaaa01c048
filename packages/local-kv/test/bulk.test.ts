// Bulk write, bulk delete (POST /bulk/delete and wrangler's deprecated DELETE /bulk) and bulk get:
// results, limits, and that one bad item fails the whole request with nothing written.
import { beforeEach, describe, expect, it } from "vitest";
import { BULK_GET_MAX_KEYS, BULK_MAX_BODY_BYTES, BULK_MAX_KEYS, MAX_METADATA_BYTES, MAX_VALUE_BYTES } from "../src/limits";
import { rawFailure, sdkFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";
import { openApi } from "./helpers/openapi";

const { kv, c } = useLocalKv();
let ns: string;
beforeEach(async () => {
  ns = await c.namespace("bulk");
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
type Item = { key: string; value: string; base64?: boolean; expiration?: number; expiration_ttl?: number; metadata?: unknown };

const bulkWrite = (body: Item[]) => c.sdk.kv.namespaces.bulkUpdate(ns, { account_id: kv.accountId, body });
const bulkDelete = (body: string[]) => c.sdk.kv.namespaces.bulkDelete(ns, { account_id: kv.accountId, body });
const bulkGet = (keys: string[], extra: { type?: "text" | "json"; withMetadata?: boolean } = {}) =>
  c.sdk.kv.namespaces.bulkGet(ns, { account_id: kv.accountId, keys, ...extra });
const readBytes = async (key: string) =>
  Buffer.from(await (await c.sdk.kv.namespaces.values.get(key, { account_id: kv.accountId, namespace_id: ns })).arrayBuffer());
const stored = () => kv.store.countKeys(ns);

describe("bulk write", () => {
  it("writes values, metadata, expirations and base64 bytes; reports every key successful", async () => {
    const sentAt = nowSeconds();
    const at = sentAt + 3600;
    const body: Item[] = [
      { key: "text", value: "hello" },
      { key: "meta", value: "v", metadata: { tier: "gold" } },
      { key: "exp", value: "v", expiration: at },
      { key: "ttl", value: "v", expiration_ttl: 600, expiration: 1 },
      { key: "bytes", value: ALL_BYTES.toString("base64"), base64: true },
      { key: "not-base64", value: ALL_BYTES.toString("base64"), base64: false },
    ];
    expect(openApi().requestProblems("PUT", "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/bulk", body)).toEqual([]);
    expect(await bulkWrite(body)).toEqual({ successful_key_count: 6, unsuccessful_keys: [] });
    expect((await readBytes("text")).toString()).toBe("hello");
    expect((await readBytes("bytes")).equals(ALL_BYTES)).toBe(true);
    expect((await readBytes("not-base64")).toString()).toBe(ALL_BYTES.toString("base64"));
    const listed = Object.fromEntries(
      (await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result.map((k) => [k.name, k]),
    );
    expect(listed.meta).toEqual({ name: "meta", metadata: { tier: "gold" } });
    expect(listed.exp).toEqual({ name: "exp", expiration: at });
    // The TTL wins over an (invalid) expiration given alongside it.
    // (Counted from before the request: however long it took, never before 600 s after it was sent.)
    expect(listed.ttl.expiration).toBeGreaterThanOrEqual(sentAt + 600);
  });

  it("keeps the last of duplicate keys", async () => {
    await bulkWrite([
      { key: "dup", value: "first" },
      { key: "other", value: "x" },
      { key: "dup", value: "last" },
    ]);
    expect((await readBytes("dup")).toString()).toBe("last");
  });

  it(`writes ${BULK_MAX_KEYS} items in one request and refuses ${BULK_MAX_KEYS + 1} (413, 10024), writing nothing`, async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: String(i) }));
    expect(await sdkFailure(bulkWrite(items(BULK_MAX_KEYS + 1)))).toMatchObject({ status: 413, code: 10024 });
    expect(await stored()).toBe(0);
    expect(await bulkWrite(items(BULK_MAX_KEYS))).toEqual({ successful_key_count: BULK_MAX_KEYS, unsuccessful_keys: [] });
    expect(await stored()).toBe(BULK_MAX_KEYS);
  });

  const good = { key: "good", value: "v" };
  it.each<[string, unknown, number, number]>([
    ["a 513-byte key", { key: "x".repeat(513), value: "v" }, 400, 10030],
    ['a "." key', { key: ".", value: "v" }, 400, 10042],
    ['a ".." key', { key: "..", value: "v" }, 400, 10042],
    ["an empty key", { key: "", value: "v" }, 400, 10042],
    ["a key with a lone surrogate", { key: "a\uD800b", value: "v" }, 400, 10042],
    ["a missing key", { value: "v" }, 400, 10042],
    ["a missing value", { key: "k" }, 400, 10001],
    ["a numeric value", { key: "k", value: 5 }, 400, 10001],
    ["a non-boolean base64", { key: "k", value: "djE=", base64: "yes" }, 400, 10001],
    ["bad base64", { key: "k", value: "not base64!", base64: true }, 400, 10001],
    [`${MAX_METADATA_BYTES + 1} bytes of metadata`, { key: "k", value: "v", metadata: { p: "x".repeat(MAX_METADATA_BYTES) } }, 400, 10047],
    ["an expiration 30 s ahead", { key: "k", value: "v", expiration: nowSeconds() + 30 }, 400, 10033],
    ["an expiration_ttl of 59", { key: "k", value: "v", expiration_ttl: 59 }, 400, 10034],
    ["an expiration_ttl that is a string", { key: "k", value: "v", expiration_ttl: "soon" }, 400, 10034],
    ["an item that is not an object", "k", 400, 10001],
  ])("fails the whole request for %s, writing nothing", async (_name, bad, status, code) => {
    const res = await c.raw("PUT", `${c.path(ns)}/bulk`, { body: [good, bad, { key: "after", value: "v" }] });
    const failure = await rawFailure(res);
    expect(failure).toMatchObject({ status, code });
    expect(failure.body.errors[0].message).toMatch(/^Item 1: /);
    expect(await stored()).toBe(0);
  });

  it("refuses a body that is not a JSON array", async () => {
    for (const body of ['{"key":"k","value":"v"}', "not json", ""]) {
      const res = await c.raw("PUT", `${c.path(ns)}/bulk`, { body, headers: { "content-type": "application/json" } });
      expect(await rawFailure(res)).toMatchObject({ status: 400, code: 10001 });
    }
  });

  it(`refuses a value over ${MAX_VALUE_BYTES} bytes (base64 or not) with 413`, async () => {
    const over = "a".repeat(MAX_VALUE_BYTES + 1);
    expect(await sdkFailure(bulkWrite([{ key: "big", value: over }]))).toMatchObject({ status: 413, code: 10024 });
    const overB64 = Buffer.alloc(MAX_VALUE_BYTES + 3).toString("base64");
    expect(await sdkFailure(bulkWrite([{ key: "big", value: overB64, base64: true }]))).toMatchObject({ status: 413, code: 10024 });
    expect(await stored()).toBe(0);
  });

  it(`refuses a body over ${BULK_MAX_BODY_BYTES} bytes with a clean 413 envelope`, async () => {
    // Streamed in 1 MiB chunks of one reused buffer: the test never holds 100 MB.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const total = BULK_MAX_BODY_BYTES + 1;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const n = Math.min(chunk.byteLength, total - sent);
        controller.enqueue(n === chunk.byteLength ? chunk : chunk.subarray(0, n));
        sent += n;
      },
    });
    const res = await c.raw("PUT", `${c.path(ns)}/bulk`, {
      body: stream as unknown as BodyInit,
      headers: { "content-type": "application/json" },
    });
    expect(await rawFailure(res)).toMatchObject({ status: 413, code: 10024 });
    expect(sent).toBe(total);
    // The server is fine afterwards.
    expect(await bulkWrite([{ key: "after", value: "v" }])).toEqual({ successful_key_count: 1, unsuccessful_keys: [] });
  });
});

describe("bulk delete", () => {
  it("deletes with POST /bulk/delete (SDK); missing keys count as deleted", async () => {
    await bulkWrite(["a", "b", "c"].map((key) => ({ key, value: "v" })));
    expect(await bulkDelete(["a", "c", "never"])).toEqual({ successful_key_count: 3, unsuccessful_keys: [] });
    expect((await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result.map((k) => k.name)).toEqual(["b"]);
  });

  it("deletes with the deprecated DELETE /bulk, in wrangler's batches of 1000", async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `w${i}`);
    for (let i = 0; i < keys.length; i += 10_000) await bulkWrite(keys.slice(i, i + 10_000).map((key) => ({ key, value: "v" })));
    for (let i = 0; i < keys.length; i += 1000) {
      const res = await c.raw("DELETE", `${c.path(ns)}/bulk`, { body: keys.slice(i, i + 1000) });
      expect(await res.json()).toMatchObject({
        success: true,
        result: { successful_key_count: Math.min(1000, keys.length - i), unsuccessful_keys: [] },
      });
    }
    expect(await stored()).toBe(0);
  });

  it(`refuses ${BULK_MAX_KEYS + 1} keys (413) and bad names (400) on both routes, deleting nothing`, async () => {
    await bulkWrite([{ key: "keep", value: "v" }]);
    const tooMany = Array.from({ length: BULK_MAX_KEYS + 1 }, (_, i) => `k${i}`);
    for (const [method, path] of [
      ["POST", "/bulk/delete"],
      ["DELETE", "/bulk"],
    ]) {
      expect(await rawFailure(await c.raw(method, `${c.path(ns)}${path}`, { body: tooMany }))).toMatchObject({ status: 413, code: 10024 });
      expect(await rawFailure(await c.raw(method, `${c.path(ns)}${path}`, { body: ["keep", "x".repeat(513)] }))).toMatchObject({
        status: 400,
        code: 10030,
      });
      expect(await rawFailure(await c.raw(method, `${c.path(ns)}${path}`, { body: ["keep", ".."] }))).toMatchObject({
        status: 400,
        code: 10042,
      });
      expect(await rawFailure(await c.raw(method, `${c.path(ns)}${path}`, { body: ["keep", 7] as unknown[] }))).toMatchObject({
        status: 400,
        code: 10042,
      });
      expect(await rawFailure(await c.raw(method, `${c.path(ns)}${path}`, { body: { keys: ["keep"] } }))).toMatchObject({
        status: 400,
        code: 10001,
      });
    }
    expect(await stored()).toBe(1);
    expect(await bulkDelete(Array.from({ length: BULK_MAX_KEYS }, (_, i) => (i === 0 ? "keep" : `k${i}`)))).toMatchObject({
      successful_key_count: BULK_MAX_KEYS,
    });
    expect(await stored()).toBe(0);
  });
});

describe("bulk get", () => {
  beforeEach(async () => {
    await bulkWrite([
      { key: "text", value: "hello" },
      { key: "json", value: '{"n":1,"list":[true,null]}', metadata: { m: 1 } },
      { key: "number", value: "42" },
      { key: "exp", value: '"s"', expiration: nowSeconds() + 3600 },
    ]);
  });

  it("reads text values; missing keys are null", async () => {
    expect(await bulkGet(["text", "json", "missing"])).toEqual({
      values: { text: "hello", json: '{"n":1,"list":[true,null]}', missing: null },
    });
  });

  it('parses values with type "json"', async () => {
    expect(await bulkGet(["json", "number", "exp"], { type: "json" })).toEqual({
      values: { json: { n: 1, list: [true, null] }, number: 42, exp: "s" },
    });
  });

  it("adds metadata and expiration with withMetadata", async () => {
    const result = await bulkGet(["text", "json", "exp", "missing"], { withMetadata: true });
    expect(result).toEqual({
      values: {
        text: { value: "hello", metadata: null },
        json: { value: '{"n":1,"list":[true,null]}', metadata: { m: 1 } },
        exp: { value: '"s"', metadata: null, expiration: expect.any(Number) },
        missing: null,
      },
    });
    const plainWithMeta = await bulkGet(["text", "json"], { withMetadata: true, type: "json" }).catch((e) => e);
    expect(plainWithMeta).toMatchObject({ status: 400 }); // "hello" is not JSON
    expect(await bulkGet(["json"], { withMetadata: true, type: "json" })).toEqual({
      values: { json: { value: { n: 1, list: [true, null] }, metadata: { m: 1 } } },
    });
  });

  it('refuses type "json" when a value is not JSON', async () => {
    expect(await sdkFailure(bulkGet(["text"], { type: "json" }))).toMatchObject({ status: 400, code: 10001 });
  });

  it(`reads ${BULK_GET_MAX_KEYS} keys and refuses ${BULK_GET_MAX_KEYS + 1}`, async () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? "text" : `nope${i}`));
    const result = (await bulkGet(keys(BULK_GET_MAX_KEYS))) as { values: Record<string, unknown> };
    expect(Object.keys(result.values)).toHaveLength(BULK_GET_MAX_KEYS);
    expect(result.values.text).toBe("hello");
    expect(await sdkFailure(bulkGet(keys(BULK_GET_MAX_KEYS + 1)))).toMatchObject({ status: 400, code: 10001 });
  });

  it("refuses bad bodies: no keys, bad type, bad withMetadata, bad key names", async () => {
    const path = `${c.path(ns)}/bulk/get`;
    for (const [body, code] of [
      [{}, 10001],
      [{ keys: "text" }, 10001],
      [{ keys: ["text"], type: "xml" }, 10001],
      [{ keys: ["text"], withMetadata: "yes" }, 10001],
      [{ keys: [".."] }, 10042],
      [{ keys: ["y".repeat(513)] }, 10030],
      [["text"], 10001],
    ] as const) {
      expect(await rawFailure(await c.raw("POST", path, { body: body as unknown as Record<string, unknown> }))).toMatchObject({
        status: 400,
        code,
      });
    }
  });

  it('keeps a key named "__proto__" as an ordinary key', async () => {
    await bulkWrite([{ key: "__proto__", value: "p" }]);
    const res = await c.raw("POST", `${c.path(ns)}/bulk/get`, { body: { keys: ["__proto__", "text"] } });
    expect(await res.text()).toContain('"__proto__":"p"');
  });
});
