// Key names: Cloudflare's schema says "all printable, non-whitespace characters are valid". The
// shared check (~/kv/limits keyNameProblem) refuses control characters and lone surrogates, and
// every endpoint that takes key names answers them with 400 / 10042 in Cloudflare's error shape.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type KvClients, kvClients, rawFailure } from "../helpers/kv-clients";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

let kv: LocalKv;
let c: KvClients;
let ns: string;

beforeAll(async () => {
  kv = await startLocalKv();
  c = kvClients(kv);
  ns = await c.namespace("key-names");
});
afterAll(() => kv.close());
afterEach(() => expect(c.violations.splice(0)).toEqual([]));

const REFUSED: [string, string][] = [
  ["U+0000", "a\u0000b"],
  ["a tab", "tab\there"],
  ["a line break", "line\nbreak"],
  ["a carriage return", "cr\r"],
  ["U+001F", "\u001F"],
  ["DEL (U+007F)", "del\u007F"],
  ["a C1 control (U+0085)", "next\u0085line"],
  ["U+009F", "x\u009F"],
];

/** Every endpoint that takes a key name, sending `name` where a name goes. */
const ENDPOINTS: [string, (name: string) => [string, string, unknown?]][] = [
  ["PUT values", (n) => ["PUT", `/values/${encodeURIComponent(n)}`]],
  ["GET values", (n) => ["GET", `/values/${encodeURIComponent(n)}`]],
  ["DELETE values", (n) => ["DELETE", `/values/${encodeURIComponent(n)}`]],
  ["GET metadata", (n) => ["GET", `/metadata/${encodeURIComponent(n)}`]],
  ["PUT bulk", (n) => ["PUT", "/bulk", [{ key: "fine", value: "v" }, { key: n, value: "v" }]]],
  ["POST bulk/delete", (n) => ["POST", "/bulk/delete", ["fine", n]]],
  ["DELETE bulk", (n) => ["DELETE", "/bulk", ["fine", n]]],
  ["POST bulk/get", (n) => ["POST", "/bulk/get", { keys: ["fine", n] }]],
];

async function send(method: string, path: string, body?: unknown) {
  const init = body === undefined ? (method === "PUT" ? { body: "v" } : {}) : { body: body as Record<string, unknown> };
  return c.raw(method, `${c.path(ns)}${path}`, init);
}

describe("key names with control characters", () => {
  for (const [endpoint, request] of ENDPOINTS) {
    it.each(REFUSED)(`${endpoint} refuses a name with %s: 400 / 10042`, async (_what, name) => {
      const failure = await rawFailure(await send(...request(name)));
      expect(failure.status).toBe(400);
      expect(failure.body.errors).toEqual([{ code: 10042, message: expect.stringMatching(/cannot contain control characters; this one has U\+00[0-9A-F]{2} at position \d+/) }]);
    });
  }

  it("names the item of a bulk request that holds the bad name, and writes nothing", async () => {
    const failure = await rawFailure(await send("PUT", "/bulk", [{ key: "fine", value: "v" }, { key: "bad\n", value: "v" }]));
    expect(failure.body.errors[0].message).toMatch(/^Item 1: .*U\+000A at position 3/);
    expect((await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result).toEqual([]);
  });
});

describe("key names that are not Unicode", () => {
  it("refuses a lone surrogate in bulk bodies and broken UTF-8 in paths with 400 / 10042", async () => {
    for (const [method, path] of [["PUT", "/bulk"], ["POST", "/bulk/delete"], ["POST", "/bulk/get"]]) {
      const body = path === "/bulk" ? '[{"key":"a\\ud800","value":"v"}]' : path === "/bulk/get" ? '{"keys":["a\\ud800"]}' : '["a\\ud800"]';
      const failure = await rawFailure(await c.raw(method, `${c.path(ns)}${path}`, { body, headers: { "content-type": "application/json" } }));
      expect(failure).toMatchObject({ status: 400, code: 10042 });
      expect(failure.body.errors[0].message).toMatch(/lone surrogate/);
    }
    // U+D800 as UTF-8 bytes (ED A0 80) is not UTF-8: refused before it could become U+FFFD.
    expect(await rawFailure(await send("GET", "/values/a%ED%A0%80"))).toMatchObject({ status: 400, code: 10042 });
  });
});

describe("key names that stay valid", () => {
  it("keeps spaces and other printable characters", async () => {
    const names = ["with space", " leading", "trailing ", "nbsp\u00A0", "é/ü:!%", "😀", "\uFFFD", "a.b", "..."];
    const account_id = kv.accountId;
    await c.sdk.kv.namespaces.bulkUpdate(ns, { account_id, body: names.map((key) => ({ key, value: key })) });
    for (const name of names) {
      const value = await c.sdk.kv.namespaces.values.get(name, { account_id, namespace_id: ns });
      expect(await value.text()).toBe(name);
    }
    const listed = (await c.sdk.kv.namespaces.keys.list(ns, { account_id })).result.map((k) => k.name);
    expect([...listed].sort()).toEqual([...names].sort());
  });
});
