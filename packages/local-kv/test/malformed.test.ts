// Every malformed request to the local KV API gets a 4xx in Cloudflare's error shape that says
// what is wrong, never a 500: bad JSON, wrong types, empty bodies, absurd numbers.
import { beforeAll, describe, expect, it } from "vitest";
import { rawFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";

const { kv, c } = useLocalKv();
let ns: string;
beforeAll(async () => {
  ns = await c.namespace("malformed");
});

interface Case {
  name: string;
  method: string;
  /** Relative to the namespace, or absolute when it starts with "/accounts". */
  path: string;
  body?: string;
  contentType?: string;
  status: number;
  code: number;
  message: RegExp;
}

const json = "application/json";
const CASES: Case[] = [
  // Absurd numbers in expiration / expiration_ttl, in the query and in bulk bodies.
  { name: "ttl=1e20 (query)", method: "PUT", path: "/values/k?expiration_ttl=1e20", body: "v", status: 400, code: 10034, message: /TTL/ },
  {
    name: "ttl of 21 digits (query)",
    method: "PUT",
    path: "/values/k?expiration_ttl=100000000000000000000",
    body: "v",
    status: 400,
    code: 10034,
    message: /at most/,
  },
  { name: "ttl NaN (query)", method: "PUT", path: "/values/k?expiration_ttl=NaN", body: "v", status: 400, code: 10034, message: /number/ },
  {
    name: "ttl negative (query)",
    method: "PUT",
    path: "/values/k?expiration_ttl=-60",
    body: "v",
    status: 400,
    code: 10034,
    message: /at least 60/,
  },
  {
    name: "expiration of 21 digits (query)",
    method: "PUT",
    path: "/values/k?expiration=100000000000000000000",
    body: "v",
    status: 400,
    code: 10033,
    message: /at most/,
  },
  {
    name: "expiration Infinity (query)",
    method: "PUT",
    path: "/values/k?expiration=Infinity",
    body: "v",
    status: 400,
    code: 10033,
    message: /number/,
  },
  {
    name: "expiration_ttl 1e20 (bulk)",
    method: "PUT",
    path: "/bulk",
    body: '[{"key":"k","value":"v","expiration_ttl":1e20}]',
    contentType: json,
    status: 400,
    code: 10034,
    message: /Item 0: .*at most/,
  },
  {
    name: "expiration 1e300 (bulk)",
    method: "PUT",
    path: "/bulk",
    body: '[{"key":"k","value":"v","expiration":1e300}]',
    contentType: json,
    status: 400,
    code: 10033,
    message: /Item 0: .*at most/,
  },
  {
    name: "expiration as an object (bulk)",
    method: "PUT",
    path: "/bulk",
    body: '[{"key":"k","value":"v","expiration":{}}]',
    contentType: json,
    status: 400,
    code: 10033,
    message: /must be a number/,
  },
  {
    name: "expiration_ttl as a boolean (bulk)",
    method: "PUT",
    path: "/bulk",
    body: '[{"key":"k","value":"v","expiration_ttl":true}]',
    contentType: json,
    status: 400,
    code: 10034,
    message: /must be a number/,
  },
  // limit / cursor / prefix of a list.
  { name: "limit=1e20", method: "GET", path: "/keys?limit=1e20", status: 400, code: 10028, message: /limit/ },
  { name: "limit of 30 digits", method: "GET", path: `/keys?limit=${"9".repeat(30)}`, status: 400, code: 10028, message: /limit/ },
  { name: "limit=-10", method: "GET", path: "/keys?limit=-10", status: 400, code: 10028, message: /limit/ },
  { name: "cursor of junk", method: "GET", path: "/keys?cursor=%%%", status: 400, code: 10041, message: /cursor/ },
  { name: "cursor that decodes to a NUL", method: "GET", path: "/keys?cursor=AA", status: 400, code: 10041, message: /cursor/ },
  {
    name: "cursor of 8,000 characters",
    method: "GET",
    path: `/keys?cursor=${"QUFB".repeat(2000)}`,
    status: 400,
    code: 10041,
    message: /cursor/,
  },
  { name: "prefix with a NUL", method: "GET", path: "/keys?prefix=a%00", status: 400, code: 10001, message: /prefix/ },
  // Bodies: empty, not JSON, wrong types.
  {
    name: "empty bulk write body",
    method: "PUT",
    path: "/bulk",
    body: "",
    contentType: json,
    status: 400,
    code: 10001,
    message: /not valid JSON/,
  },
  {
    name: "bulk write body not JSON",
    method: "PUT",
    path: "/bulk",
    body: "[{",
    contentType: json,
    status: 400,
    code: 10001,
    message: /not valid JSON/,
  },
  {
    name: "bulk write body an object",
    method: "PUT",
    path: "/bulk",
    body: '{"key":"k"}',
    contentType: json,
    status: 400,
    code: 10001,
    message: /array/,
  },
  {
    name: "bulk write item null",
    method: "PUT",
    path: "/bulk",
    body: "[null]",
    contentType: json,
    status: 400,
    code: 10001,
    message: /Item 0/,
  },
  {
    name: "bulk write value a number",
    method: "PUT",
    path: "/bulk",
    body: '[{"key":"k","value":5}]',
    contentType: json,
    status: 400,
    code: 10001,
    message: /value must be a string/,
  },
  {
    name: "bulk write key a number",
    method: "PUT",
    path: "/bulk",
    body: '[{"key":5,"value":"v"}]',
    contentType: json,
    status: 400,
    code: 10042,
    message: /must be a string/,
  },
  {
    name: "bulk write base64 a string",
    method: "PUT",
    path: "/bulk",
    body: '[{"key":"k","value":"dg==","base64":"yes"}]',
    contentType: json,
    status: 400,
    code: 10001,
    message: /base64/,
  },
  {
    name: "empty bulk delete body",
    method: "POST",
    path: "/bulk/delete",
    body: "",
    contentType: json,
    status: 400,
    code: 10001,
    message: /not valid JSON/,
  },
  {
    name: "bulk delete of objects",
    method: "POST",
    path: "/bulk/delete",
    body: '[{"name":"k"}]',
    contentType: json,
    status: 400,
    code: 10042,
    message: /Item 0: .*must be a string/,
  },
  {
    name: "empty bulk get body",
    method: "POST",
    path: "/bulk/get",
    body: "",
    contentType: json,
    status: 400,
    code: 10001,
    message: /not valid JSON/,
  },
  {
    name: "bulk get keys not an array",
    method: "POST",
    path: "/bulk/get",
    body: '{"keys":"k"}',
    contentType: json,
    status: 400,
    code: 10001,
    message: /"keys" must be a JSON array/,
  },
  {
    name: "bulk get withMetadata a string",
    method: "POST",
    path: "/bulk/get",
    body: '{"keys":["k"],"withMetadata":"yes"}',
    contentType: json,
    status: 400,
    code: 10001,
    message: /withMetadata/,
  },
  {
    name: "multipart without a value part",
    method: "PUT",
    path: "/values/k",
    body: '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
    contentType: "multipart/form-data; boundary=b",
    status: 400,
    code: 10001,
    message: /"value" part/,
  },
  {
    name: "multipart not multipart",
    method: "PUT",
    path: "/values/k",
    body: "garbage",
    contentType: "multipart/form-data; boundary=b",
    status: 400,
    code: 10001,
    message: /multipart/,
  },
  {
    name: "multipart metadata not JSON",
    method: "PUT",
    path: "/values/k",
    body: '--b\r\nContent-Disposition: form-data; name="value"\r\n\r\nv\r\n--b\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{x\r\n--b--\r\n',
    contentType: "multipart/form-data; boundary=b",
    status: 400,
    code: 10047,
    message: /JSON/,
  },
  // Namespaces.
  {
    name: "create namespace, empty body",
    method: "POST",
    path: "/accounts/{account}/storage/kv/namespaces",
    body: "",
    contentType: json,
    status: 400,
    code: 10001,
    message: /not valid JSON/,
  },
  {
    name: "create namespace, title a number",
    method: "POST",
    path: "/accounts/{account}/storage/kv/namespaces",
    body: '{"title":5}',
    contentType: json,
    status: 400,
    code: 10001,
    message: /title/,
  },
  {
    name: "create namespace, title with a NUL",
    method: "POST",
    path: "/accounts/{account}/storage/kv/namespaces",
    body: '{"title":"a\\u0000b"}',
    contentType: json,
    status: 400,
    code: 10001,
    message: /title/,
  },
  {
    name: "rename namespace, title with a NUL",
    method: "PUT",
    path: "",
    body: '{"title":"\\u0000"}',
    contentType: json,
    status: 400,
    code: 10001,
    message: /title/,
  },
  {
    name: "list namespaces, page=1e400",
    method: "GET",
    path: "/accounts/{account}/storage/kv/namespaces?page=1e400",
    status: 400,
    code: 10001,
    message: /page/,
  },
];

describe("malformed requests", () => {
  it.each(CASES)("$name → $status / $code", async (t) => {
    const path = t.path.startsWith("/accounts") ? t.path.replace("{account}", kv.accountId) : `${c.path(ns)}${t.path}`;
    const headers: Record<string, string> = t.contentType ? { "content-type": t.contentType } : {};
    const failure = await rawFailure(await c.raw(t.method, path, { body: t.body, headers }));
    expect(failure.status).toBe(t.status);
    expect(failure.body.errors).toHaveLength(1);
    expect(failure.body.errors[0]).toEqual({ code: t.code, message: expect.stringMatching(t.message) });
  });

  it("wrote nothing for any of them", async () => {
    const listed = await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId });
    expect(listed.result).toEqual([]);
  });
});
