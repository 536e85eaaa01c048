// createHttpUpstream (the one upstream client, over the cloudflare SDK) against kvdeck's local KV
// API: every KvUpstream method, paging through empty pages, and the typed errors with the
// client's own retry policy (bounded retries of safe requests only, fail fast while rate limited).
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { createHttpUpstream, type HttpUpstreamOptions } from "~/kv/cloudflare.server";
import { UpstreamError } from "~/kv/errors";
import type { KeyInfo, KvUpstream } from "~/kv/upstream.server";
import { nowSeconds } from "~/utils/time";
import { type EchoUpstream, startEchoUpstream } from "../helpers/echo-upstream";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

let kv: LocalKv;

beforeAll(async () => {
  kv = await startLocalKv();
});
afterAll(() => kv.close());
afterEach(() => {
  kv.faults.reset();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SentRequest {
  method: string;
  path: string;
}

/** A client whose every attempt (including retries and failed connections) is recorded. */
function client(options: Partial<HttpUpstreamOptions> & { server?: LocalKv } = {}) {
  const { server = kv, fetch: inner = fetch, ...rest } = options;
  const requests: SentRequest[] = [];
  const counting: typeof fetch = (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    // The SDK probes fetch with a `data:` URL before its first multipart upload: not a request.
    if (url.protocol !== "data:") requests.push({ method: init?.method ?? "GET", path: decodeURIComponent(url.pathname) });
    return inner(input, init);
  };
  const upstream = createHttpUpstream({
    accountId: server.accountId,
    apiToken: server.token,
    baseUrl: server.baseUrl,
    fetch: counting,
    ...rest,
  });
  return { upstream, requests };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

async function newNamespace(upstream: KvUpstream, prefix = "ns") {
  return (await upstream.createNamespace(`${prefix}-${crypto.randomUUID()}`)).id;
}

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

describe("typed errors", () => {
  test("a wrong token is unauthorized, with the upstream's message, and is not retried", async () => {
    const { upstream, requests } = client({ apiToken: "wrong-token" });
    const error = await failure(upstream.listNamespaces());
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toBe("Authentication error");
    expect(error.details).toMatchObject({ status: 403, code: 10000 });
    expect(requests).toHaveLength(1);
  });

  test("an unknown namespace is not_found, for namespace and key operations alike", async () => {
    const { upstream, requests } = client();
    const unknown = "0".repeat(32);
    const error = await failure(upstream.getNamespace(unknown));
    expect(error).toMatchObject({ kind: "not_found", message: "namespace not found", details: { status: 404, code: 10013 } });
    expect((await failure(upstream.listKeys(unknown, {}))).kind).toBe("not_found");
    expect((await failure(upstream.putValue(unknown, "k", "v"))).kind).toBe("not_found");
    // getValue's and streamValue's null means "no such key"; a missing namespace is not that.
    expect((await failure(upstream.getValue(unknown, "k"))).kind).toBe("not_found");
    expect((await failure(upstream.streamValue(unknown, "k"))).kind).toBe("not_found");
    // not_found is an answer, not a failure to retry.
    expect(requests).toHaveLength(5);
  });

  test("a duplicate title is a conflict, on create and on rename", async () => {
    const { upstream } = client();
    const title = `dup-${crypto.randomUUID()}`;
    await upstream.createNamespace(title);
    const error = await failure(upstream.createNamespace(title));
    expect(error.kind).toBe("conflict");
    expect(error.message).toBe("a namespace with this account ID and title already exists");
    expect(error.details.code).toBe(10014);
    const other = await upstream.createNamespace(`${title}-2`);
    expect((await failure(upstream.renameNamespace(other.id, title))).kind).toBe("conflict");
  });

  test("oversized metadata is refused as invalid with the upstream's explanation, not retried", async () => {
    const { upstream, requests } = client();
    const ns = await newNamespace(upstream);
    requests.length = 0;
    const error = await failure(upstream.putValue(ns, "k", "v", { metadata: { blob: "x".repeat(2000) } }));
    expect(error.kind).toBe("invalid");
    expect(error.details).toMatchObject({ status: 400, code: 10047 });
    expect(error.message).toMatch(/^Metadata is at most 1024 bytes when serialized; this is \d+\.$/);
    expect(requests).toHaveLength(1);
    expect(await upstream.getValue(ns, "k")).toBeNull();
  });

  test("an expiry too soon is invalid with the upstream's message", async () => {
    const { upstream } = client();
    const ns = await newNamespace(upstream);
    const error = await failure(upstream.putValue(ns, "k", "v", { expirationTtl: 10 }));
    expect(error).toMatchObject({ kind: "invalid", details: { code: 10034 } });
    expect(error.message).toMatch(/at least 60 seconds/);
  });

  describe("rate limit 2/5s", () => {
    let limited: LocalKv;
    beforeAll(async () => {
      // Its clock stands still: the window never passes between these requests however slow the
      // machine, and every 429 says Retry-After: 60, far beyond what a client may wait inline.
      limited = await startLocalKv({ db: kv.db, rateLimit: "2/60s", rateLimitClock: () => 1_000_000_000 });
    });
    afterAll(() => limited.close());

    test("after the budget: rate_limited with Retry-After, then later calls fail fast without sending", async () => {
      const { upstream, requests } = client({ server: limited });
      const ns = (await limited.store.createNamespace(limited.accountId, `rl-${crypto.randomUUID()}`))!.id;
      await upstream.getNamespace(ns);
      await upstream.listKeys(ns, {});
      expect(requests).toHaveLength(2);

      const error = await failure(upstream.getNamespace(ns));
      expect(error.kind).toBe("rate_limited");
      expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(error.details.retryAfterSeconds).toBeLessThanOrEqual(60);
      // It did not sit out the 60 s Retry-After inside an interactive request (and retry: the
      // limiter's clock stands still, so a retry would be a 4th request, refused again).
      expect(requests).toHaveLength(3);

      // Spending more of the budget would only push the window out: nothing is sent now.
      const again = await failure(upstream.listKeys(ns, {}));
      expect(again.kind).toBe("rate_limited");
      expect(again.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((await failure(upstream.putValue(ns, "k", "v"))).kind).toBe("rate_limited");
      expect(requests).toHaveLength(3);
    });

    test("a write refused with 429 carries the upstream's message and Retry-After and is not retried", async () => {
      // A fresh client that has not seen the 429 yet; the budget is still spent.
      const { upstream, requests } = client({ server: limited });
      const error = await failure(upstream.createNamespace(`rl-${crypto.randomUUID()}`));
      expect(error.kind).toBe("rate_limited");
      expect(error.message).toMatch(/^More than 2 requests per 60 seconds reached/);
      expect(error.details).toMatchObject({ status: 429, code: 10022 });
      expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(requests).toHaveLength(1);
    });
  });

  test("a short Retry-After (≤ 2 s) is waited out and the safe request retried", async () => {
    let answered429 = false;
    const once429: typeof fetch = async (input, init) => {
      if (!answered429) {
        answered429 = true;
        const body = { success: false, errors: [{ code: 10022, message: "Please wait" }], messages: [], result: null };
        return new Response(JSON.stringify(body), { status: 429, headers: { "content-type": "application/json", "retry-after": "1" } });
      }
      return fetch(input, init);
    };
    const { upstream, requests } = client({ fetch: once429 });
    const started = Date.now();
    const namespaces = await upstream.listNamespaces();
    expect(Array.isArray(namespaces)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(2);
  });

  test("5xx on every request: a GET is retried exactly `retries` times, then unavailable", async () => {
    const { upstream: setup } = client();
    const ns = await newNamespace(setup);
    kv.setFaults({ error: 1 });

    const twice = client();
    const error = await failure(twice.upstream.listKeys(ns, {}));
    expect(error.kind).toBe("unavailable");
    expect(error.details.status === 500 || error.details.status === 503).toBe(true);
    expect(error.message).toMatch(/\(kvdeck fault injection\)$/);
    expect(twice.requests).toHaveLength(3); // default retries: 2

    const once = client({ retries: 1 });
    expect((await failure(once.upstream.getValue(ns, "k"))).kind).toBe("unavailable");
    expect(once.requests).toHaveLength(2);

    const never = client({ retries: 0 });
    expect((await failure(never.upstream.getNamespace(ns))).kind).toBe("unavailable");
    expect(never.requests).toHaveLength(1);
  });

  test("5xx on createNamespace is not retried (it is not idempotent)", async () => {
    kv.setFaults({ error: 1 });
    const { upstream, requests } = client({ retries: 3 });
    const title = `no-retry-${crypto.randomUUID()}`;
    const error = await failure(upstream.createNamespace(title));
    expect(error.kind).toBe("unavailable");
    expect(requests).toEqual([{ method: "POST", path: expect.stringMatching(/\/storage\/kv\/namespaces$/) }]);
    kv.faults.reset();
    expect((await client().upstream.listNamespaces()).some((n) => n.title === title)).toBe(false);
  });

  test("a server that is down is unavailable (safe requests retried, creates not)", async () => {
    const doomed = await startLocalKv({ db: kv.db });
    await doomed.close();
    const { upstream, requests } = client({ server: doomed, retries: 1 });
    const error = await failure(upstream.listNamespaces());
    expect(error.kind).toBe("unavailable");
    expect(error.message).toMatch(/^The upstream could not be reached/);
    expect(requests).toHaveLength(2);

    requests.length = 0;
    expect((await failure(upstream.createNamespace("x"))).kind).toBe("unavailable");
    expect(requests).toHaveLength(1);
  });

  test("no answer within timeoutMs is a timeout", async () => {
    const { upstream: setup } = client();
    const ns = await newNamespace(setup);
    kv.setFaults({ latencyMs: 2000 });
    const { upstream, requests } = client({ timeoutMs: 300, retries: 1 });
    const started = Date.now();
    const error = await failure(upstream.getNamespace(ns));
    const elapsed = Date.now() - started;
    expect(error.kind).toBe("timeout");
    expect(requests).toHaveLength(2);
    // Two attempts of 300 ms and a short backoff, each abandoned: had the client waited the 2 s
    // the server takes, the call would have succeeded (so no upper bound on a loaded machine).
    expect(elapsed).toBeGreaterThanOrEqual(550);
    kv.faults.reset();
    // Let the abandoned requests finish on the server before the next test.
    await sleep(2100 - elapsed);
  });
});

describe("upstream text that echoes the token", () => {
  let echo: EchoUpstream;
  beforeAll(async () => {
    echo = await startEchoUpstream();
  });
  afterAll(() => echo.close());

  test("the UpstreamError's message has every form of the token redacted, for JSON errors and plain-text 5xx alike", async () => {
    const token = "echo-me-0123456789abcdef+/=";
    const upstream = createHttpUpstream({ accountId: "ab".repeat(16), apiToken: token, baseUrl: echo.baseUrl, retries: 0 });
    for (const [mode, kind] of [
      ["json-400", "invalid"],
      ["json-403", "forbidden"],
      ["text-500", "unavailable"],
    ] as const) {
      echo.mode = mode;
      for (const run of [
        () => upstream.listNamespaces(),
        () => upstream.putValue("0".repeat(32), "k", "v"),
        () => upstream.bulkDelete("0".repeat(32), ["a", "b"]),
      ]) {
        const error = await failure(run());
        expect(error.kind, mode).toBe(kind);
        expect(error.message, mode).toContain("[redacted]");
        for (const form of [token, encodeURIComponent(token), "echo-me-0123456789"]) expect(error.message, mode).not.toContain(form);
        expect(JSON.stringify(error), mode).not.toContain("echo-me");
      }
    }
  });
});
