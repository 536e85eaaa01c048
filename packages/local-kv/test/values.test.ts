// Single keys through the cloudflare SDK (and raw HTTP where the SDK cannot go): write raw and
// multipart, read bytes, metadata, expiration, delete, key-name encoding and every per-key limit.
import http from "node:http";
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_METADATA_BYTES, MAX_VALUE_BYTES } from "../src/limits";
import { rawFailure, sdkFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";
import { checkResponse } from "./helpers/openapi";

const { kv, c } = useLocalKv();
let ns: string;
beforeEach(async () => {
  ns = await c.namespace("values");
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

async function put(key: string, value: string | File, extra: { metadata?: string; expiration?: number; expiration_ttl?: number } = {}) {
  return c.sdk.kv.namespaces.values.update(key, { account_id: kv.accountId, namespace_id: ns, value, ...extra });
}
async function get(key: string): Promise<Response> {
  return c.sdk.kv.namespaces.values.get(key, { account_id: kv.accountId, namespace_id: ns });
}
const valuePath = (key: string) => `${c.path(ns)}/values/${encodeURIComponent(key)}`;
const listNames = async () => (await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result.map((k) => k.name);

/** node:http, because fetch and the SDK both normalise "." and ".." segments away. */
function rawHttp(method: string, path: string, body?: string): Promise<{ status: number; body: { errors: { code: number }[] } }> {
  const url = new URL(kv.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: `${url.pathname}${path}`, headers: { authorization: `Bearer ${kv.token}` } },
      (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", async () => {
          const response = new Response(text, { status: res.statusCode, headers: { "content-type": String(res.headers["content-type"]) } });
          c.violations.push(...(await checkResponse(method, `${kv.baseUrl}${path}`, response)));
          resolve({ status: res.statusCode!, body: JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("write and read", () => {
  it("writes a text value and reads it back as octet-stream bytes", async () => {
    expect(await put("greeting", "héllo wörld")).toBeNull();
    const res = await get("greeting");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("expiration")).toBeNull();
    expect(await res.text()).toBe("héllo wörld");
  });

  it("round-trips all 256 byte values exactly, raw body and multipart file part alike", async () => {
    const raw = await c.raw("PUT", valuePath("raw-bytes"), { body: ALL_BYTES, headers: { "content-type": "application/octet-stream" } });
    expect(raw.status).toBe(200);
    await put("file-bytes", new File([ALL_BYTES], "blob.bin"));
    for (const key of ["raw-bytes", "file-bytes"]) {
      expect(Buffer.from(await (await get(key)).arrayBuffer()).equals(ALL_BYTES)).toBe(true);
    }
  });

  it("keeps a raw body's bytes whatever content type it claims", async () => {
    await c.raw("PUT", valuePath("json-ish"), { body: '{"a":1}', headers: { "content-type": "application/json" } });
    await c.raw("PUT", valuePath("form-ish"), { body: "a=1&b=2", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(await (await get("json-ish")).text()).toBe('{"a":1}');
    expect(await (await get("form-ish")).text()).toBe("a=1&b=2");
  });

  it("writes an empty value", async () => {
    await c.raw("PUT", valuePath("empty"), { body: "" });
    const res = await get("empty");
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it("overwrites value, metadata and expiration together", async () => {
    await put("k", "one", { metadata: JSON.stringify({ v: 1 }), expiration_ttl: 3600 });
    await put("k", "two");
    expect(await (await get("k")).text()).toBe("two");
    expect(await c.sdk.kv.namespaces.metadata.get("k", { account_id: kv.accountId, namespace_id: ns })).toBeNull();
    expect((await get("k")).headers.get("expiration")).toBeNull();
  });

  it("answers a missing key with 404, code 10009, in a JSON envelope", async () => {
    const res = await c.raw("GET", valuePath("nope"));
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await rawFailure(res)).toMatchObject({ status: 404, code: 10009 });
    expect(await sdkFailure(get("nope"))).toMatchObject({ status: 404, code: 10009 });
  });

  it("refuses a multipart body without a value part, or one that does not parse", async () => {
    const form = new FormData();
    form.append("metadata", "{}");
    expect(await rawFailure(await c.raw("PUT", valuePath("k"), { body: form }))).toMatchObject({ status: 400, code: 10001 });
    const broken = await c.raw("PUT", valuePath("k"), {
      body: '--x\r\nContent-Disposition: form-data; name="value"\r\n\r\nunterminated',
      headers: { "content-type": "multipart/form-data; boundary=x" },
    });
    expect(await rawFailure(broken)).toMatchObject({ status: 400, code: 10001 });
    expect(await listNames()).toEqual([]);
  });
});

describe("metadata", () => {
  it("stores JSON metadata from a multipart write and reads it back", async () => {
    const metadata = { owner: "ops", tags: ["a", "b"], n: 1.5, nested: { ok: true } };
    await put("with-meta", "v", { metadata: JSON.stringify(metadata) });
    expect(await c.sdk.kv.namespaces.metadata.get("with-meta", { account_id: kv.accountId, namespace_id: ns })).toEqual(metadata);
    const listed = await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId });
    expect(listed.result).toEqual([{ name: "with-meta", metadata }]);
  });

  it("accepts any JSON as metadata (a string, a number), and answers null for a key without", async () => {
    await put("string-meta", "v", { metadata: JSON.stringify("just a string") });
    await put("number-meta", "v", { metadata: "42" });
    await put("no-meta", "v");
    const read = (key: string) => c.sdk.kv.namespaces.metadata.get(key, { account_id: kv.accountId, namespace_id: ns });
    expect(await read("string-meta")).toBe("just a string");
    expect(await read("number-meta")).toBe(42);
    expect(await read("no-meta")).toBeNull();
    expect(await sdkFailure(read("missing"))).toMatchObject({ status: 404, code: 10009 });
  });

  it(`accepts ${MAX_METADATA_BYTES} bytes of metadata and refuses ${MAX_METADATA_BYTES + 1} (10047), writing nothing`, async () => {
    const sized = (bytes: number) => JSON.stringify({ p: "x".repeat(bytes - '{"p":""}'.length) });
    expect(Buffer.byteLength(sized(MAX_METADATA_BYTES))).toBe(MAX_METADATA_BYTES);
    await put("fits", "v", { metadata: sized(MAX_METADATA_BYTES) });
    expect(await sdkFailure(put("too-big", "v", { metadata: sized(MAX_METADATA_BYTES + 1) }))).toMatchObject({ status: 400, code: 10047 });
    expect(await listNames()).toEqual(["fits"]);
  });

  it("refuses metadata that is not JSON (10047)", async () => {
    expect(await sdkFailure(put("k", "v", { metadata: "{not json" }))).toMatchObject({ status: 400, code: 10047 });
    expect(await listNames()).toEqual([]);
  });
});

describe("expiration", () => {
  it("sets an absolute expiration and sends it back in the expiration header and the list", async () => {
    const at = nowSeconds() + 3600;
    await put("exp", "v", { expiration: at });
    expect((await get("exp")).headers.get("expiration")).toBe(String(at));
    expect((await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result).toEqual([{ name: "exp", expiration: at }]);
  });

  it("turns expiration_ttl into an absolute expiration; the TTL wins over expiration", async () => {
    const before = nowSeconds();
    await put("ttl", "v", { expiration_ttl: 120 });
    await put("both", "v", { expiration_ttl: 300, expiration: before + 99_999 });
    const listed = Object.fromEntries(
      (await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result.map((k) => [k.name, k.expiration]),
    );
    expect(listed.ttl).toBeGreaterThanOrEqual(before + 120);
    expect(listed.ttl).toBeLessThanOrEqual(nowSeconds() + 120);
    expect(listed.both).toBeGreaterThanOrEqual(before + 300);
    expect(listed.both).toBeLessThanOrEqual(nowSeconds() + 300);
  });

  it("accepts exactly 60 s ahead and refuses less: expiration 10033, expiration_ttl 10034, nothing written", async () => {
    await put("ttl-60", "v", { expiration_ttl: 60 });
    await put("exp-60", "v", { expiration: nowSeconds() + 61 });
    expect(await sdkFailure(put("ttl-59", "v", { expiration_ttl: 59 }))).toMatchObject({ status: 400, code: 10034 });
    expect(await sdkFailure(put("exp-30", "v", { expiration: nowSeconds() + 30 }))).toMatchObject({ status: 400, code: 10033 });
    expect(await sdkFailure(put("exp-past", "v", { expiration: 1_000_000 }))).toMatchObject({ status: 400, code: 10033 });
    for (const [query, code] of [
      ["expiration_ttl=soon", 10034],
      ["expiration=tomorrow", 10033],
      ["expiration_ttl=120.5", 10034],
    ] as const) {
      const res = await c.raw("PUT", `${valuePath("bad")}?${query}`, { body: "v" });
      expect(await rawFailure(res)).toMatchObject({ status: 400, code });
    }
    expect((await listNames()).sort()).toEqual(["exp-60", "ttl-60"]);
  });
});

describe("delete", () => {
  it("deletes a key; deleting a missing key succeeds too", async () => {
    await put("doomed", "v");
    expect(await c.sdk.kv.namespaces.values.delete("doomed", { account_id: kv.accountId, namespace_id: ns })).toBeNull();
    expect(await sdkFailure(get("doomed"))).toMatchObject({ status: 404, code: 10009 });
    expect(await c.sdk.kv.namespaces.values.delete("never-was", { account_id: kv.accountId, namespace_id: ns })).toBeNull();
  });
});

describe("key names", () => {
  const awkward = [
    "a/b/c",
    "with space",
    "q?x=1&y=2",
    "hash#tag",
    "100%",
    "%2F",
    "+plus+",
    "é中😀",
    "trailing/",
    "/leading",
    "a//b",
    ":colon:",
    "~tilde",
  ];

  it("decodes percent-encoded names exactly once; names may contain / ? # % +", async () => {
    for (const key of awkward) await put(key, `value of ${key}`);
    expect((await listNames()).sort()).toEqual([...awkward].sort());
    for (const key of awkward) expect(await (await get(key)).text()).toBe(`value of ${key}`);
  });

  it("takes the rest of the path as the key when / is not encoded", async () => {
    const res = await c.raw("PUT", `${c.path(ns)}/values/dir/sub/file.txt`, { body: "x" });
    expect(res.status).toBe(200);
    expect(await listNames()).toEqual(["dir/sub/file.txt"]);
    expect(await (await c.raw("GET", `${c.path(ns)}/values/dir%2Fsub%2Ffile.txt`)).text()).toBe("x");
  });

  it("accepts 512 bytes of UTF-8 and refuses 513 (10030), counting bytes, not characters", async () => {
    const max = "é".repeat(256);
    expect(Buffer.byteLength(max)).toBe(512);
    await put(max, "v");
    expect(await sdkFailure(put(max + "a", "v"))).toMatchObject({ status: 400, code: 10030 });
    expect(await sdkFailure(get(max + "a"))).toMatchObject({ status: 400, code: 10030 });
    expect(await listNames()).toEqual([max]);
  });

  it('refuses "." and ".." (10042) on writes, reads and deletes', async () => {
    for (const encoded of ["%2E", "%2E%2E", "%2e"]) {
      for (const method of ["PUT", "GET", "DELETE"]) {
        const res = await rawHttp(method, `${c.path(ns)}/values/${encoded}`, method === "PUT" ? "v" : undefined);
        expect(res.status, `${method} ${encoded}`).toBe(400);
        expect(res.body.errors[0].code).toBe(10042);
        expect(res.body).toMatchObject({ success: false, result: null });
      }
    }
    expect((await rawHttp("GET", `${c.path(ns)}/metadata/%2E%2E`)).body.errors[0].code).toBe(10042);
    expect(await listNames()).toEqual([]);
    // ".a" and "a." are ordinary names.
    await put(".a", "v");
    await put("a.", "v");
    expect((await listNames()).sort()).toEqual([".a", "a."]);
  });

  it("refuses an empty name and a broken percent-encoding (10042)", async () => {
    expect(await rawFailure(await c.raw("PUT", `${c.path(ns)}/values/`, { body: "v" }))).toMatchObject({ status: 400, code: 10042 });
    expect(await rawFailure(await c.raw("PUT", `${c.path(ns)}/values/%E0%A4%A`, { body: "v" }))).toMatchObject({
      status: 400,
      code: 10042,
    });
    expect(await listNames()).toEqual([]);
  });
});

describe("value size", () => {
  it(`stores a value of exactly ${MAX_VALUE_BYTES} bytes and refuses one byte more with 413, writing nothing`, async () => {
    // One buffer, filled in place; the +1 case reuses it through a view instead of a second copy.
    const big = Buffer.alloc(MAX_VALUE_BYTES + 1, 0x61);
    big[0] = 0x00;
    big[MAX_VALUE_BYTES - 1] = 0xff;
    const over = await c.raw("PUT", valuePath("too-big"), { body: big });
    expect(await rawFailure(over)).toMatchObject({ status: 413, code: 10024 });
    expect(await sdkFailure(put("too-big-file", new File([big], "v")))).toMatchObject({ status: 413, code: 10024 });

    const exact = big.subarray(0, MAX_VALUE_BYTES);
    expect((await c.raw("PUT", valuePath("max"), { body: exact })).status).toBe(200);
    const back = Buffer.from(await (await get("max")).arrayBuffer());
    expect(back.byteLength).toBe(MAX_VALUE_BYTES);
    expect(back.equals(exact)).toBe(true);
    expect(await listNames()).toEqual(["max"]);
  });
});
