// Account discovery and token checks, as clients do them before any KV call (wrangler without
// CLOUDFLARE_ACCOUNT_ID, the SDK's accounts.list): GET /accounts, /accounts/{id}, /memberships,
// /user/tokens/verify. An account the token cannot reach is refused as Cloudflare refuses it.
import type Cloudflare from "cloudflare";
import { describe, expect, it } from "vitest";
import { rawFailure, sdkFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";

// Every answer is checked against Cloudflare's envelope schema by the clients' fetch.
const { kv, c } = useLocalKv();
const OTHER = "abcdef0123456789abcdef0123456789";

describe("identity endpoints", () => {
  it("accounts.list() finds the one account, auto-paginating to the end", async () => {
    const accounts: Cloudflare.Accounts.Account[] = [];
    for await (const account of c.sdk.accounts.list()) accounts.push(account);
    expect(accounts).toEqual([expect.objectContaining({ id: kv.accountId, name: expect.any(String), type: "standard" })]);
    const page = await c.sdk.accounts.list({ per_page: 5 });
    expect(page.result_info).toMatchObject({ page: 1, per_page: 5, count: 1, total_count: 1 });
    expect((await c.sdk.accounts.list({ name: "no such account" })).result).toEqual([]);
  });

  it("accounts.get() answers the account, and refuses another account id with 403 / 10000", async () => {
    expect(await c.sdk.accounts.get({ account_id: kv.accountId })).toMatchObject({ id: kv.accountId, type: "standard" });
    expect(await sdkFailure(c.sdk.accounts.get({ account_id: OTHER }))).toEqual({
      status: 403,
      code: 10000,
      message: "Authentication error",
    });
  });

  it("user.tokens.verify() says the token is active", async () => {
    const verified = await c.sdk.user.tokens.verify();
    expect(verified).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), status: "active" });
    const raw = await (await c.raw("GET", "/user/tokens/verify")).json();
    expect(raw.messages).toEqual([{ code: 10000, message: "This API Token is valid and active" }]);
    // A wrong token is refused there too.
    expect(await rawFailure(await c.raw("GET", "/user/tokens/verify", { token: "wrong-token" }))).toMatchObject({
      status: 403,
      code: 10000,
    });
  });

  it("memberships.list() lists the one accepted membership of the account", async () => {
    const memberships: Cloudflare.Memberships.Membership[] = [];
    for await (const m of c.sdk.memberships.list()) memberships.push(m);
    expect(memberships).toEqual([expect.objectContaining({ status: "accepted", account: expect.objectContaining({ id: kv.accountId }) })]);
    expect((await c.sdk.memberships.list({ status: "pending" })).result).toEqual([]);
  });

  it("refuses an account the token cannot reach on every KV endpoint with 403 / 10000, not an empty list", async () => {
    const ns = await c.namespace("identity");
    expect(await sdkFailure(c.sdk.kv.namespaces.list({ account_id: OTHER }))).toEqual({
      status: 403,
      code: 10000,
      message: "Authentication error",
    });
    expect(await sdkFailure(c.sdk.kv.namespaces.create({ account_id: OTHER, title: "x" }))).toMatchObject({ status: 403, code: 10000 });
    expect(await sdkFailure(c.sdk.kv.namespaces.keys.list(ns, { account_id: OTHER }))).toMatchObject({ status: 403, code: 10000 });
    expect(await sdkFailure(c.sdk.kv.namespaces.values.update("k", { account_id: OTHER, namespace_id: ns, value: "v" }))).toMatchObject({
      status: 403,
      code: 10000,
    });
    // Nothing was written through the refused account.
    expect((await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result).toEqual([]);
  });

  it("answers query mistakes on the lists with 400 / 10001", async () => {
    for (const query of ["page=0", "per_page=51", "page=1e3", "direction=up"]) {
      expect(await rawFailure(await c.raw("GET", `/accounts?${query}`)), query).toMatchObject({ status: 400, code: 10001 });
    }
  });
});
