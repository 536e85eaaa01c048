// Key names: Cloudflare's schema says "all printable, non-whitespace characters are valid". The
// shared check (~/kv/limits keyNameProblem) refuses control characters and lone surrogates in
// writes with 400 / 10042 in Cloudflare's error shape; reads and deletes take any name a stored key
// can have (storedKeyNameProblem), since a Worker's binding can write what the REST API refuses.
import { beforeAll, describe, expect, it } from "vitest";
import { rawFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";

const { kv, c } = useLocalKv();
let ns: string;
beforeAll(async () => {
  ns = await c.namespace("key-names");
});

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

/** Every endpoint that writes under a key name, sending `name` where a name goes. */
const WRITES: [string, (name: string) => [string, string, unknown?]][] = [
  ["PUT values", (n) => ["PUT", `/values/${encodeURIComponent(n)}`]],
  [
    "PUT bulk",
    (n) => [
      "PUT",
      "/bulk",
      [
        { key: "fine", value: "v" },
        { key: n, value: "v" },
      ],
    ],
  ],
];

async function send(method: string, path: string, body?: unknown) {
  const init = body === undefined ? (method === "PUT" ? { body: "v" } : {}) : { body: body as Record<string, unknown> };
  return c.raw(method, `${c.path(ns)}${path}`, init);
}

describe("key names with control characters", () => {
  for (const [endpoint, request] of WRITES) {
    it.each(REFUSED)(`${endpoint} refuses a name with %s: 400 / 10042`, async (_what, name) => {
      const failure = await rawFailure(await send(...request(name)));
      expect(failure.status).toBe(400);
      expect(failure.body.errors).toEqual([
        { code: 10042, message: expect.stringMatching(/cannot contain control characters; this one has U\+00[0-9A-F]{2} at position \d+/) },
      ]);
    });
  }

  it("names the item of a bulk request that holds the bad name, and writes nothing", async () => {
    const failure = await rawFailure(
      await send("PUT", "/bulk", [
        { key: "fine", value: "v" },
        { key: "bad\n", value: "v" },
      ]),
    );
    expect(failure.body.errors[0].message).toMatch(/^Item 1: .*U\+000A at position 3/);
    expect((await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result).toEqual([]);
  });

  // A Worker's binding can write names the REST API refuses: whoever lists them must still be
  // able to read and remove them.
  // U+0000 aside: PostgreSQL text cannot hold it, so the local KV API can never list one.
  it.each(REFUSED.filter(([, n]) => !n.includes("\u0000")))(
    "a stored name with %s is listed, read, bulk-read and deleted",
    async (_what, name) => {
      const own = await c.namespace(`stored-${REFUSED.findIndex(([, n]) => n === name)}`);
      const other = `${name}-bulk`;
      await kv.store.write(
        own,
        [name, other].map((key) => ({ key, value: Buffer.from(`value of ${key}`), metadata: '{"m":1}', expiration: null })),
      );
      const account_id = kv.accountId;
      const listed = (await c.sdk.kv.namespaces.keys.list(own, { account_id })).result.map((k) => k.name);
      expect(listed.sort()).toEqual([name, other].sort());
      const value = await c.sdk.kv.namespaces.values.get(name, { account_id, namespace_id: own });
      expect(await value.text()).toBe(`value of ${name}`);
      expect(await c.sdk.kv.namespaces.metadata.get(name, { account_id, namespace_id: own })).toEqual({ m: 1 });
      const bulk = (await (await c.raw("POST", `${c.path(own)}/bulk/get`, { body: { keys: [name] } })).json()) as {
        result: { values: Record<string, unknown> };
      };
      expect(bulk.result.values[name]).toBe(`value of ${name}`);
      expect((await c.raw("DELETE", `${c.path(own)}/values/${encodeURIComponent(name)}`)).status).toBe(200);
      expect((await c.raw("POST", `${c.path(own)}/bulk/delete`, { body: [other] })).status).toBe(200);
      expect((await c.sdk.kv.namespaces.keys.list(own, { account_id })).result).toEqual([]);
    },
  );
});

describe("key names that are not Unicode", () => {
  it("refuses a lone surrogate in bulk bodies and broken UTF-8 in paths with 400 / 10042", async () => {
    for (const [method, path] of [
      ["PUT", "/bulk"],
      ["POST", "/bulk/delete"],
      ["POST", "/bulk/get"],
    ]) {
      const body = path === "/bulk" ? '[{"key":"a\\ud800","value":"v"}]' : path === "/bulk/get" ? '{"keys":["a\\ud800"]}' : '["a\\ud800"]';
      const failure = await rawFailure(
        await c.raw(method, `${c.path(ns)}${path}`, { body, headers: { "content-type": "application/json" } }),
      );
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
