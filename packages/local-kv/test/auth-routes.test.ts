// Authentication (Cloudflare's 403 / 10000), unknown routes (404 / 7003), account ids, and the
// headers real clients send.
import Cloudflare from "cloudflare";
import { describe, expect, it } from "vitest";
import { startLocalKvServer } from "../src/server";
import { rawFailure, sdkFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";
import { validatingFetch } from "./helpers/openapi";

const { kv, c } = useLocalKv();

describe("authentication", () => {
  it.each<[string, Record<string, string>]>([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    ["the token with a suffix", { authorization: "__TOKEN__x" }],
    ["Basic instead of Bearer", { authorization: "Basic __RAW__" }],
    ["a bare token", { authorization: "__RAW__" }],
    ["an empty Bearer", { authorization: "Bearer " }],
    ["Cloudflare's global-key headers", { "x-auth-email": "a@b.c", "x-auth-key": "__RAW__" }],
  ])("refuses %s with 403 and code 10000 on every route", async (_name, headers) => {
    const resolved = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace("__TOKEN__", `Bearer ${kv.token}`).replace("__RAW__", kv.token)]),
    );
    for (const [method, path] of [
      ["GET", c.path()],
      ["POST", c.path()],
      ["PUT", `${c.path("0".repeat(32))}/values/k`],
      ["GET", "/nowhere"],
      ["GET", "/__kvdeck/faults"],
    ]) {
      const res = await c.raw(method, path, { token: null, headers: resolved, body: method === "GET" ? undefined : "x" });
      const failure = await rawFailure(res);
      expect(failure, `${method} ${path}`).toMatchObject({ status: 403, code: 10000 });
      expect(failure.body.errors[0].message).toBe("Authentication error");
    }
  });

  it("writes nothing for an unauthenticated write", async () => {
    const ns = await c.namespace("auth");
    await c.raw("PUT", `${c.path(ns)}/values/k`, { token: "wrong", body: "v" });
    expect(await kv.store.countKeys(ns)).toBe(0);
  });

  it("gives the SDK a PermissionDeniedError (403) for a wrong token", async () => {
    const violations: string[] = [];
    const wrong = new Cloudflare({ apiToken: "wrong-token", baseURL: kv.baseUrl, maxRetries: 0, fetch: validatingFetch(violations) });
    const error = await wrong.kv.namespaces.list({ account_id: kv.accountId }).catch((e) => e);
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(await sdkFailure(wrong.kv.namespaces.list({ account_id: kv.accountId }))).toMatchObject({ status: 403, code: 10000 });
    expect(violations).toEqual([]);
  });

  it("accepts the scheme in any case", async () => {
    const res = await c.raw("GET", c.path(), { token: null, headers: { authorization: `bearer ${kv.token}` } });
    expect(res.status).toBe(200);
  });

  it("follows a token that changes at runtime when given a function", async () => {
    let token = "first-token-0123456789";
    const server = await startLocalKvServer({ db: kv.db, token: () => token, host: "127.0.0.1", port: 0 });
    const base = `${server.baseUrl}${c.path()}`;
    const status = (t: string) => fetch(base, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status);
    try {
      expect(await status("first-token-0123456789")).toBe(200);
      token = "second-token-0123456789";
      expect(await status("first-token-0123456789")).toBe(403);
      expect(await status("second-token-0123456789")).toBe(200);
    } finally {
      await server.close({ dropConnections: true });
    }
  });
});

describe("routes", () => {
  it.each<[string, string]>([
    ["GET", "/"],
    ["GET", "/zones"],
    ["POST", "/accounts"],
    ["GET", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv"],
    ["GET", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv/namespaces/0123456789abcdef0123456789abcdef/unknown"],
    ["GET", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv/namespaces/0123456789abcdef0123456789abcdef/values"],
    ["PATCH", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv/namespaces"],
    ["DELETE", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv/namespaces"],
    ["POST", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv/namespaces/0123456789abcdef0123456789abcdef/keys"],
    ["GET", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv/namespaces/0123456789abcdef0123456789abcdef/bulk"],
    ["PUT", "/accounts/c0ffee00c0ffee00c0ffee00c0ffee00/storage/kv/namespaces/0123456789abcdef0123456789abcdef/metadata/k"],
  ])("answers %s %s with 404 and code 7003", async (method, path) => {
    expect(await rawFailure(await c.raw(method, path))).toMatchObject({ status: 404, code: 7003 });
  });

  it.each(["not-an-account", "c0ffee", "g".repeat(32), "c0ffee00c0ffee00c0ffee00c0ffee000"])(
    "answers an account id that is not 32 hex digits (%s) with 7003",
    async (account) => {
      const failure = await rawFailure(await c.raw("GET", `/accounts/${account}/storage/kv/namespaces`));
      expect(failure).toMatchObject({ status: 404, code: 7003 });
      expect(failure.body.errors[0].message).toMatch(/Could not route to .*perhaps your object identifier is invalid/);
    },
  );

  it("serves its own account id case-insensitively, and refuses any other with 403 / 10000", async () => {
    const upper = kv.accountId.toUpperCase();
    const created = await (await c.raw("POST", `/accounts/${upper}/storage/kv/namespaces`, { body: { title: "case" } })).json();
    expect(created.success).toBe(true);
    const listed = await c.sdk.kv.namespaces.list({ account_id: kv.accountId });
    expect(listed.result.map((n) => n.id)).toContain(created.result.id);
    const other = "abcdef0123456789abcdef0123456789";
    const failure = await rawFailure(await c.raw("POST", `/accounts/${other}/storage/kv/namespaces`, { body: { title: "other" } }));
    expect(failure).toMatchObject({ status: 403, code: 10000 });
    expect(failure.body.errors[0].message).toBe("Authentication error");
  });

  it("accepts and ignores the api-version header and a trailing slash on the collection", async () => {
    const res = await c.raw("GET", `${c.path()}/`, { headers: { "api-version": "1999-01-01" } });
    expect(res.status).toBe(200);
    expect((await res.json()).success).toBe(true);
  });
});
