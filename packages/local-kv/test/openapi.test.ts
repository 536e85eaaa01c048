// The responses of every operation, successes and failures, checked against both OpenAPI files;
// and the checks themselves checked: the validator rejects broken envelopes, and each patch of a
// schema defect is needed for a genuine answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KvClients, kvClients } from "./helpers/kv-clients";
import { type LocalKv, startLocalKv } from "./helpers/local-kv";
import type { KNOWN_DEFECTS } from "./helpers/openapi";
import { OpenApiValidator, checkResponse, openApi } from "./helpers/openapi";

let kv: LocalKv;
let c: KvClients;

beforeAll(async () => {
  kv = await startLocalKv();
  c = kvClients(kv);
});
afterAll(() => kv.close());

const NS = "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}";
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const ok = (result: unknown, extra: Record<string, unknown> = {}) => ({ success: true, errors: [], messages: [], result, ...extra });
const fail = (code: number) => ({ success: false, errors: [{ code, message: "m" }], messages: [], result: null });
const url = (path: string) => `http://127.0.0.1:1/client/v4${path}`;
const nsUrl = (tail = "") => url(`/accounts/${"a".repeat(32)}/storage/kv/namespaces/${"b".repeat(32)}${tail}`);

describe("the validator", () => {
  it("accepts well-formed answers", async () => {
    expect(await checkResponse("GET", nsUrl(), json(ok({ id: "b".repeat(32), title: "t", supports_url_encoding: true })))).toEqual([]);
    expect(await checkResponse("GET", nsUrl("/keys"), json(ok([{ name: "k" }], { result_info: { count: 1, cursor: "" } })))).toEqual([]);
    expect(
      await checkResponse(
        "GET",
        nsUrl("/values/a%2Fb"),
        new Response("bytes", { headers: { "content-type": "application/octet-stream" } }),
      ),
    ).toEqual([]);
  });

  it.each<[string, string, string, Response]>([
    ["an envelope without errors", "GET", nsUrl(), json({ success: true, messages: [], result: { id: "x", title: "t" } })],
    ["a namespace without an id", "GET", nsUrl(), json(ok({ title: "t" }))],
    ["a key without a name", "GET", nsUrl("/keys"), json(ok([{ nam: "k" }], { result_info: { count: 1, cursor: "" } }))],
    ["a failure that claims success", "GET", nsUrl(), json({ ...fail(10013), success: true }, 404)],
    ["a failure without result", "GET", nsUrl(), json({ success: false, errors: [{ code: 10013, message: "m" }], messages: [] }, 404)],
    ["an error code below 1000 (e.g. 971)", "GET", nsUrl(), json(fail(971), 429)],
    ["a value read answered as JSON", "GET", nsUrl("/values/k"), json(ok("v"))],
    ["a 200 that is not JSON", "GET", nsUrl(), new Response("hello", { headers: { "content-type": "application/json" } })],
    ["an unknown route answered without an envelope", "GET", url("/nowhere"), new Response("Not Found", { status: 404 })],
    ["a bulk result with a numeric unsuccessful key", "PUT", nsUrl("/bulk"), json(ok({ successful_key_count: 1, unsuccessful_keys: [5] }))],
  ])("rejects %s", async (_name, method, target, response) => {
    expect(await checkResponse(method, target, response)).not.toEqual([]);
  });

  it("recognises every operation of the 2026 file, and the 2024 file has all but bulk get", () => {
    const validator = openApi();
    expect(validator.operations).toHaveLength(14);
    const in2024 = validator.operations.filter((o) => validator.docs["2024"].paths[o.template]?.[o.method.toLowerCase()]);
    expect(in2024.map((o) => `${o.method} ${o.template}`)).not.toContain(`POST ${NS}/bulk/get`);
    expect(in2024).toHaveLength(13);
    expect(validator.findOperation("DELETE", `/client/v4/accounts/x/storage/kv/namespaces/y/values/a/b/c`)?.template).toBe(
      `${NS}/values/{key_name}`,
    );
    expect(validator.findOperation("POST", `/accounts/x/storage/kv/namespaces/y/bulk/delete`)?.template).toBe(`${NS}/bulk/delete`);
  });
});

describe("each patched schema defect is needed for a genuine answer", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await c.namespace("defects");
    await c.sdk.kv.namespaces.bulkUpdate(ns, { account_id: kv.accountId, body: [{ key: "k", value: "v" }] });
  });

  /** The real answer to a request, checked with all patches and without `defect`. */
  async function both(defect: keyof typeof KNOWN_DEFECTS, method: string, path: string, body?: unknown) {
    const res = await fetch(`${kv.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${kv.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const template = openApi().findOperation(method, path)!.template;
    const parsed = await res.json();
    const contentType = res.headers.get("content-type")!;
    const unpatched = new OpenApiValidator({ skipPatches: [defect] });
    return {
      patched: openApi().responseProblems(method, template, res.status, contentType, parsed),
      unpatched: unpatched.responseProblems(method, template, res.status, contentType, parsed),
    };
  }

  it("listMetadataIsAnyJson (2024): metadata of a key without metadata is null", async () => {
    const r = await both("listMetadataIsAnyJson", "GET", `${c.path(ns)}/metadata/k`);
    expect(r.patched).toEqual([]);
    expect(r.unpatched.join("\n")).toMatch(/^2024 .*must be object/m);
  });

  it("bulkGetMissingKeyIsNull (2026): a missing key reads as null", async () => {
    const r = await both("bulkGetMissingKeyIsNull", "POST", `${c.path(ns)}/bulk/get`, { keys: ["k", "missing"] });
    expect(r.patched).toEqual([]);
    expect(r.unpatched).not.toEqual([]);
  });

  it("bulkGetResultIsAmbiguous (2026): a withMetadata answer matches both result shapes", async () => {
    const r = await both("bulkGetResultIsAmbiguous", "POST", `${c.path(ns)}/bulk/get`, { keys: ["k"], withMetadata: true });
    expect(r.patched).toEqual([]);
    expect(r.unpatched.join("\n")).toMatch(/oneOf/);
  });

  it("bulkFailureIsSuccess (2026): a refused bulk write is a failure envelope", async () => {
    const r = await both("bulkFailureIsSuccess", "PUT", `${c.path(ns)}/bulk`, [{ key: "..", value: "v" }]);
    expect(r.patched).toEqual([]);
    expect(r.unpatched.join("\n")).toMatch(/success.*must be equal to one of the allowed values/);
  });

  it("bulkWriteRequiredOnArray (2024): without the patch, items without key and value pass", () => {
    const template = `${NS}/bulk`;
    const unpatched = new OpenApiValidator({ skipPatches: ["bulkWriteRequiredOnArray"] });
    const only2024 = (problems: string[]) => problems.filter((p) => p.startsWith("2024"));
    expect(only2024(unpatched.requestProblems("PUT", template, [{}]))).toEqual([]);
    expect(only2024(openApi().requestProblems("PUT", template, [{}]))).not.toEqual([]);
    expect(openApi().requestProblems("PUT", template, [{ key: "k", value: "v" }])).toEqual([]);
  });
});

describe("every operation, success and failure, validates against both files", () => {
  it("walks all 14 operations with a 200 and a 4XX each", async () => {
    const v = openApi();
    v.covered.clear();
    const account_id = kv.accountId;
    const sdk = c.sdk.kv.namespaces;
    const missing = "0".repeat(32);
    const swallow = (p: Promise<unknown>) => p.catch(() => undefined);

    const ns = (await sdk.create({ account_id, title: `tour-${Date.now()}` })).id;
    await swallow(sdk.create({ account_id, title: "" }));
    await sdk.list({ account_id });
    await swallow(c.raw("GET", `${c.path()}?per_page=0`));
    await sdk.get(ns, { account_id });
    await swallow(sdk.get(missing, { account_id }));
    await sdk.update(ns, { account_id, title: `tour-renamed-${Date.now()}` });
    await swallow(sdk.update(missing, { account_id, title: "x" }));

    await sdk.values.update("k", { account_id, namespace_id: ns, value: "v", metadata: '{"m":1}', expiration_ttl: 300 });
    await swallow(sdk.values.update("k", { account_id, namespace_id: ns, value: "v", expiration_ttl: 1 }));
    await sdk.values.get("k", { account_id, namespace_id: ns });
    await swallow(sdk.values.get("nope", { account_id, namespace_id: ns }));
    await sdk.metadata.get("k", { account_id, namespace_id: ns });
    await swallow(sdk.metadata.get("nope", { account_id, namespace_id: ns }));
    await sdk.keys.list(ns, { account_id, limit: 10 });
    await swallow(sdk.keys.list(ns, { account_id, limit: 5 }));
    await sdk.bulkUpdate(ns, {
      account_id,
      body: [
        { key: "b1", value: "1", metadata: { a: 1 } },
        { key: "b2", value: "2" },
      ],
    });
    await swallow(sdk.bulkUpdate(ns, { account_id, body: [{ key: ".", value: "1" }] }));
    await sdk.bulkGet(ns, { account_id, keys: ["b1", "nope"] });
    await sdk.bulkGet(ns, { account_id, keys: ["b1", "nope"], withMetadata: true, type: "json" });
    await swallow(sdk.bulkGet(ns, { account_id, keys: Array.from({ length: 101 }, (_, i) => `k${i}`) }));
    await sdk.bulkDelete(ns, { account_id, body: ["b1"] });
    await swallow(sdk.bulkDelete(ns, { account_id, body: [".."] }));
    await c.raw("DELETE", `${c.path(ns)}/bulk`, { body: ["b2"] });
    await c.raw("DELETE", `${c.path(ns)}/bulk`, { body: ["x".repeat(513)] });
    await sdk.values.delete("k", { account_id, namespace_id: ns });
    await swallow(sdk.values.delete("x".repeat(513), { account_id, namespace_id: ns }));
    await sdk.delete(ns, { account_id });
    await swallow(sdk.delete(ns, { account_id }));

    expect(c.violations.splice(0)).toEqual([]);
    const expected = v.operations.flatMap((o) => [`${o.method} ${o.template} 200`, `${o.method} ${o.template} 4XX`]);
    expect([...v.covered].sort()).toEqual(expected.sort());
  });
});
