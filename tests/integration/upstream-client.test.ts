// createHttpUpstream (the one upstream client, over the cloudflare SDK) against kvdeck's local KV
// API: every KvUpstream method and paging through empty pages. Its typed errors and its retry
// policy are in upstream-client-errors.test.ts.
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import type { HttpUpstreamOptions } from "~/kv/cloudflare.server";
import type { KeyInfo, KvUpstream } from "~/kv/upstream.server";
import { nowSeconds } from "~/utils/time";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";
import { failure, newNamespace, recordingClient } from "../helpers/upstream-client";

let kv: LocalKv;

beforeAll(async () => {
  kv = await startLocalKv();
});
afterAll(() => kv.close());
afterEach(() => {
  kv.faults.reset();
});

const client = (options: Partial<HttpUpstreamOptions> & { server?: LocalKv } = {}) => recordingClient({ server: kv, ...options });

/** Every live key, paging by hand: only an empty cursor ends the listing, never an empty page. */
async function listAll(upstream: KvUpstream, namespaceId: string, opts: { prefix?: string; limit?: number } = {}) {
  const pages: { keys: KeyInfo[]; cursor: string }[] = [];
  let cursor = "";
  do {
    const page = await upstream.listKeys(namespaceId, { ...opts, cursor });
    pages.push(page);
    cursor = page.cursor;
    if (pages.length > 1000) throw new Error("the listing does not end");
  } while (cursor !== "");
  return { names: pages.flatMap((p) => p.keys.map((k) => k.name)), pages };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("namespaces", () => {
  test("listNamespaces follows pages past 100, in title order, and asks no more pages than needed", async () => {
    // An account of its own, so namespaces of other tests do not count.
    const accountId = crypto.randomBytes(16).toString("hex");
    const own = await startLocalKv({ db: kv.db, accountId });
    onTestFinished(() => own.close());
    const { upstream, requests } = client({ server: own });
    const titles = Array.from({ length: 200 }, (_, i) => `t-${String(i).padStart(3, "0")}`);
    // Created out of order: the client must ask for title order.
    for (const title of [...titles].reverse()) await kv.store.createNamespace(accountId, title);

    const two = await upstream.listNamespaces();
    expect(two.map((n) => n.title)).toEqual(titles);
    expect(new Set(two.map((n) => n.id)).size).toBe(200);
    // Exactly 200: two full pages and the total says that is all; no third (empty) page.
    expect(requests).toHaveLength(2);

    for (let i = 200; i < 250; i++) await kv.store.createNamespace(accountId, `t-${i}`);
    requests.length = 0;
    const three = await upstream.listNamespaces();
    expect(three).toHaveLength(250);
    expect(three.map((n) => n.title)).toEqual([...titles, ...Array.from({ length: 50 }, (_, i) => `t-${200 + i}`)]);
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.method === "GET" && r.path.endsWith(`/accounts/${accountId}/storage/kv/namespaces`))).toBe(true);
  });

  test("create, get, rename and delete a namespace", async () => {
    const { upstream } = client();
    const title = `life-${crypto.randomUUID()}`;
    const created = await upstream.createNamespace(title);
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), title });
    expect(await upstream.getNamespace(created.id)).toEqual({ id: created.id, title });

    await upstream.renameNamespace(created.id, `${title}-renamed`);
    expect(await upstream.getNamespace(created.id)).toEqual({ id: created.id, title: `${title}-renamed` });
    expect((await upstream.listNamespaces()).filter((n) => n.id === created.id)).toEqual([{ id: created.id, title: `${title}-renamed` }]);

    await upstream.deleteNamespace(created.id);
    expect((await failure(upstream.getNamespace(created.id))).kind).toBe("not_found");
    expect((await upstream.listNamespaces()).some((n) => n.id === created.id)).toBe(false);
  });
});

describe("keys and values", () => {
  test("listKeys: prefix, cursor and limit, in byte order", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const names = [...Array.from({ length: 25 }, (_, i) => `user:${String(i).padStart(2, "0")}`), "users", "usr", "a", "z", "😀", "\uFFFD"];
    await upstream.bulkWrite(
      ns,
      names.map((key) => ({ key, value: key })),
    );

    const first = await upstream.listKeys(ns, { prefix: "user:", limit: 10 });
    expect(first.keys.map((k) => k.name)).toEqual(Array.from({ length: 10 }, (_, i) => `user:0${i}`));
    expect(first.cursor).not.toBe("");
    const second = await upstream.listKeys(ns, { prefix: "user:", limit: 10, cursor: first.cursor });
    expect(second.keys.map((k) => k.name)).toEqual(Array.from({ length: 10 }, (_, i) => `user:${10 + i}`));
    const all = await listAll(upstream, ns, { prefix: "user:", limit: 10 });
    expect(all.names).toEqual(names.slice(0, 25));
    expect(all.pages).toHaveLength(3);

    // The whole namespace: UTF-8 byte order puts U+FFFD before the astral 😀.
    const everything = await upstream.listKeys(ns, {});
    expect(everything.cursor).toBe("");
    expect(everything.keys.map((k) => k.name)).toEqual(["a", ...names.slice(0, 25), "users", "usr", "z", "\uFFFD", "😀"]);
    // A key without metadata or expiry lists as just its name.
    expect(everything.keys[0]).toEqual({ name: "a" });
  });

  test("paging by hand goes on through an empty page that carries a cursor", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const names = Array.from({ length: 30 }, (_, i) => `e-${String(i).padStart(2, "0")}`);
    await upstream.bulkWrite(
      ns,
      names.map((key) => ({ key, value: "v" })),
    );
    // Expire the second ten in place: a page that scans them lists nothing but still has a cursor.
    await kv.db.execute(sql`update local_kv_entries set expiration = 1 where namespace_id = ${ns} and key >= 'e-10' and key <= 'e-19'`);

    const { names: listed, pages } = await listAll(upstream, ns, { limit: 10 });
    expect(pages.map((p) => [p.keys.length, p.cursor !== ""])).toEqual([
      [10, true],
      [0, true],
      [10, false],
    ]);
    expect(listed).toEqual([...names.slice(0, 10), ...names.slice(20)]);
  });

  test("getValue reads at most maxBytes, says it truncated, and reports the full size", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const big = crypto.randomBytes(1024 * 1024 + 17); // several network chunks
    await upstream.putValue(ns, "big", new Uint8Array(big));
    await upstream.putValue(ns, "small", "hello, world");

    const cut = await upstream.getValue(ns, "big", { maxBytes: 100_000 });
    expect(cut).not.toBeNull();
    expect(cut!.truncated).toBe(true);
    expect(cut!.size).toBe(big.byteLength);
    expect(Buffer.from(cut!.bytes).equals(big.subarray(0, 100_000))).toBe(true);

    const whole = await upstream.getValue(ns, "big");
    expect(whole!.truncated).toBe(false);
    expect(Buffer.from(whole!.bytes).equals(big)).toBe(true);

    // Exactly the size is not a truncation; one byte less is.
    expect(await upstream.getValue(ns, "small", { maxBytes: 12 })).toMatchObject({ truncated: false, size: 12 });
    const short = await upstream.getValue(ns, "small", { maxBytes: 11 });
    expect(short).toMatchObject({ truncated: true, size: 12 });
    expect(text(short!.bytes)).toBe("hello, worl");

    expect(await upstream.getValue(ns, "missing")).toBeNull();
  });

  test("streamValue streams the whole value; null for a missing key", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const value = crypto.randomBytes(300_000);
    await upstream.putValue(ns, "file.bin", new Uint8Array(value));
    const stream = await upstream.streamValue(ns, "file.bin");
    expect(stream).not.toBeNull();
    expect(stream!.size).toBe(value.byteLength);
    const received = Buffer.from(await new Response(stream!.body).arrayBuffer());
    expect(received.equals(value)).toBe(true);
    expect(await upstream.streamValue(ns, "missing")).toBeNull();
  });

  test("putValue with metadata and expiry; getMetadata; binary values round-trip byte for byte", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const at = nowSeconds() + 3600;
    await upstream.putValue(ns, "with-meta", "v1", { metadata: { owner: "growth", tags: ["a", "b"], n: 1 }, expiration: at });
    await upstream.putValue(ns, "with-ttl", "v2", { expirationTtl: 120 });
    const allBytes = new Uint8Array(512).map((_, i) => i % 256);
    await upstream.putValue(ns, "binary", allBytes, { metadata: { type: "bin" } });
    await upstream.putValue(ns, "plain", "no metadata");

    const listed = (await upstream.listKeys(ns, {})).keys;
    const byName = Object.fromEntries(listed.map((k) => [k.name, k]));
    expect(byName["with-meta"]).toEqual({ name: "with-meta", metadata: { owner: "growth", tags: ["a", "b"], n: 1 }, expiration: at });
    expect(byName["with-ttl"].expiration).toBeGreaterThanOrEqual(nowSeconds() + 115);
    expect(byName["with-ttl"].expiration).toBeLessThanOrEqual(nowSeconds() + 121);
    expect(byName["with-ttl"].metadata).toBeUndefined();
    expect(byName["binary"]).toEqual({ name: "binary", metadata: { type: "bin" } });
    expect(byName["plain"]).toEqual({ name: "plain" });

    expect(await upstream.getMetadata(ns, "with-meta")).toEqual({ owner: "growth", tags: ["a", "b"], n: 1 });
    expect(await upstream.getMetadata(ns, "plain")).toBeNull();
    expect((await failure(upstream.getMetadata(ns, "missing"))).kind).toBe("not_found");

    const read = await upstream.getValue(ns, "binary");
    expect(read!.size).toBe(512);
    expect(Array.from(read!.bytes)).toEqual(Array.from(allBytes));
    // Bytes that are not UTF-8 must not be mangled into U+FFFD on the way.
    const invalidUtf8 = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
    await upstream.putValue(ns, "not-utf8", invalidUtf8);
    expect(Array.from((await upstream.getValue(ns, "not-utf8"))!.bytes)).toEqual(Array.from(invalidUtf8));
    expect(text((await upstream.getValue(ns, "with-meta"))!.bytes)).toBe("v1");

    // An overwrite without metadata drops the old metadata (a put replaces the whole entry).
    await upstream.putValue(ns, "with-meta", "v3");
    expect(await upstream.getMetadata(ns, "with-meta")).toBeNull();
  });

  test("key names with slashes, spaces, percent signs and unicode survive the URL", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const names = ["a/b/../c", "with space", "100%25", "?query#hash", "ünï/😀"];
    for (const name of names) await upstream.putValue(ns, name, `value of ${name}`, { metadata: { name } });
    for (const name of names) {
      expect(text((await upstream.getValue(ns, name))!.bytes)).toBe(`value of ${name}`);
      expect(await upstream.getMetadata(ns, name)).toEqual({ name });
    }
    expect((await upstream.listKeys(ns, {})).keys.map((k) => k.name).sort()).toEqual([...names].sort());
    await upstream.deleteKey(ns, "a/b/../c");
    expect(await upstream.getValue(ns, "a/b/../c")).toBeNull();
  });

  test("deleteKey removes a key; deleting a missing key is no error", async () => {
    const { upstream, requests } = client();
    const ns = await newNamespace(upstream);
    await upstream.putValue(ns, "doomed", "x");
    await upstream.putValue(ns, "kept", "y");
    requests.length = 0;
    await upstream.deleteKey(ns, "doomed");
    expect(requests).toEqual([{ method: "DELETE", path: expect.stringMatching(/\/values\/doomed$/) }]);
    expect(await upstream.getValue(ns, "doomed")).toBeNull();
    expect(text((await upstream.getValue(ns, "kept"))!.bytes)).toBe("y");
    await upstream.deleteKey(ns, "never-existed");
  });

  test("bulkWrite (text, base64, metadata, expiry) and bulkGet with and without metadata", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const at = nowSeconds() + 7200;
    const result = await upstream.bulkWrite(ns, [
      { key: "t", value: "text value" },
      { key: "b64", value: Buffer.from("decoded!").toString("base64"), base64: true },
      { key: "m", value: "with metadata", metadata: { k: "v" }, expiration: at },
      { key: "j", value: '{"a":[1,2]}' },
      { key: "ttl", value: "short", expirationTtl: 300 },
    ]);
    expect(result).toEqual({ successfulKeyCount: 5, unsuccessfulKeys: [] });

    const plain = await upstream.bulkGet(ns, ["t", "b64", "m", "missing"]);
    expect(plain).toEqual({
      t: { value: "text value" },
      b64: { value: "decoded!" },
      m: { value: "with metadata" },
      missing: { value: null },
    });

    const rich = await upstream.bulkGet(ns, ["t", "m", "ttl", "missing"], { withMetadata: true });
    expect(rich.t).toEqual({ value: "text value", metadata: undefined, expiration: undefined });
    expect(rich.m).toEqual({ value: "with metadata", metadata: { k: "v" }, expiration: at });
    expect(rich.ttl.expiration).toBeGreaterThanOrEqual(nowSeconds() + 295);
    expect(rich.missing.value).toBeNull();

    // type json: the upstream parses it; the client hands back JSON text.
    const json = await upstream.bulkGet(ns, ["j"], { type: "json" });
    expect(JSON.parse(json.j.value!)).toEqual({ a: [1, 2] });
  });

  test("bulkDelete deletes and reports the keys the upstream did not apply", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const names = Array.from({ length: 6 }, (_, i) => `bd-${i}`);
    await upstream.bulkWrite(
      ns,
      names.map((key) => ({ key, value: key })),
    );
    kv.setFaults({ failKeys: "^bd-[24]$" });
    const result = await upstream.bulkDelete(ns, names);
    expect(result.successfulKeyCount).toBe(4);
    expect([...result.unsuccessfulKeys].sort()).toEqual(["bd-2", "bd-4"]);
    kv.faults.reset();
    expect((await upstream.listKeys(ns, {})).keys.map((k) => k.name)).toEqual(["bd-2", "bd-4"]);
  });

  test("batches over the limits are refused before anything is sent", async () => {
    const { upstream, requests } = client();
    const ns = await newNamespace(upstream);
    requests.length = 0;
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `k${i}`);
    expect((await failure(upstream.bulkDelete(ns, tooMany))).kind).toBe("too_large");
    expect(
      (
        await failure(
          upstream.bulkWrite(
            ns,
            tooMany.map((key) => ({ key, value: "" })),
          ),
        )
      ).kind,
    ).toBe("too_large");
    expect((await failure(upstream.bulkGet(ns, tooMany.slice(0, 101)))).kind).toBe("too_large");
    expect(requests).toEqual([]);
  });
});
