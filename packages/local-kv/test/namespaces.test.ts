// Namespaces through the cloudflare SDK: list/create/get/rename/delete, paging and ordering,
// duplicate titles, per-account scoping and the namespace cap.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MAX_NAMESPACES_PER_ACCOUNT } from "../src/limits";
import { type KvClients, kvClients, rawFailure, sdkFailure } from "./helpers/kv-clients";
import { type LocalKv, startLocalKv } from "./helpers/local-kv";
import { useLocalKv } from "./helpers/use-local-kv";

const { kv, c } = useLocalKv();
/** APIs of other accounts over the same database (see freshAccount); closed before kv (hooks run in reverse). */
const others: { kv: LocalKv; c: KvClients }[] = [];
afterAll(async () => {
  for (const other of others.splice(0)) await other.kv.close();
});
afterEach(() => {
  expect(others.flatMap((o) => o.c.violations.splice(0))).toEqual([]);
});

/**
 * A fresh 32-hex account, so tests that count namespaces do not see each other's: a local KV API
 * serves one account (any other answers 403), so each account gets its API over the same database.
 */
async function freshAccount(): Promise<{ account_id: string; c: KvClients; kv: LocalKv }> {
  const account_id = crypto.randomUUID().replaceAll("-", "");
  const other = await startLocalKv({ db: kv.db, accountId: account_id });
  const entry = { kv: other, c: kvClients(other) };
  others.push(entry);
  return { account_id, ...entry };
}

describe("namespaces", () => {
  it("creates, gets, renames and deletes a namespace", async () => {
    const account_id = kv.accountId;
    const created = await c.sdk.kv.namespaces.create({ account_id, title: "orders-prod" + Date.now() });
    expect(created).toMatchObject({ title: expect.stringMatching(/^orders-prod/), supports_url_encoding: true });
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);

    expect(await c.sdk.kv.namespaces.get(created.id, { account_id })).toEqual(created);

    const renamed = await c.sdk.kv.namespaces.update(created.id, { account_id, title: `renamed-${created.id}` });
    expect(renamed).toEqual({ id: created.id, title: `renamed-${created.id}`, supports_url_encoding: true });
    expect((await c.sdk.kv.namespaces.get(created.id, { account_id })).title).toBe(`renamed-${created.id}`);

    expect(await c.sdk.kv.namespaces.delete(created.id, { account_id })).toBeNull();
    expect(await sdkFailure(c.sdk.kv.namespaces.get(created.id, { account_id }))).toMatchObject({ status: 404, code: 10013 });
  });

  it("refuses a duplicate title on create and on rename (10014), and nothing changes", async () => {
    const { account_id, c } = await freshAccount();
    const a = await c.sdk.kv.namespaces.create({ account_id, title: "a" });
    const b = await c.sdk.kv.namespaces.create({ account_id, title: "b" });
    expect(await sdkFailure(c.sdk.kv.namespaces.create({ account_id, title: "a" }))).toMatchObject({ status: 400, code: 10014 });
    expect(await sdkFailure(c.sdk.kv.namespaces.update(b.id, { account_id, title: "a" }))).toMatchObject({ status: 400, code: 10014 });
    const page = await c.sdk.kv.namespaces.list({ account_id });
    expect(page.result.map((n) => [n.id, n.title]).sort()).toEqual(
      [
        [a.id, "a"],
        [b.id, "b"],
      ].sort(),
    );
    // Renaming a namespace to its own title is not a clash.
    expect((await c.sdk.kv.namespaces.update(a.id, { account_id, title: "a" })).title).toBe("a");
  });

  it("scopes namespaces per account: another account sees 10013 and an empty list", async () => {
    const { account_id: owner, c: ownerApi } = await freshAccount();
    const { account_id: other, c: otherApi } = await freshAccount();
    const ns = await ownerApi.sdk.kv.namespaces.create({ account_id: owner, title: "mine" });
    expect(await sdkFailure(otherApi.sdk.kv.namespaces.get(ns.id, { account_id: other }))).toMatchObject({ status: 404, code: 10013 });
    expect(await sdkFailure(otherApi.sdk.kv.namespaces.delete(ns.id, { account_id: other }))).toMatchObject({ status: 404, code: 10013 });
    expect(await sdkFailure(otherApi.sdk.kv.namespaces.keys.list(ns.id, { account_id: other }))).toMatchObject({
      status: 404,
      code: 10013,
    });
    expect((await otherApi.sdk.kv.namespaces.list({ account_id: other })).result).toEqual([]);
    // The same title is free in another account.
    expect((await otherApi.sdk.kv.namespaces.create({ account_id: other, title: "mine" })).title).toBe("mine");
    // And an API does not serve an account it was not given: 403 / 10000, as Cloudflare answers.
    expect(await sdkFailure(otherApi.sdk.kv.namespaces.list({ account_id: owner }))).toMatchObject({ status: 403, code: 10000 });
  });

  it("answers 10013 for unknown or malformed namespace ids on every namespace route", async () => {
    const account_id = kv.accountId;
    const unknown = "0123456789abcdef0123456789abcdef";
    for (const call of [
      () => c.sdk.kv.namespaces.get(unknown, { account_id }),
      () => c.sdk.kv.namespaces.update(unknown, { account_id, title: "x" }),
      () => c.sdk.kv.namespaces.delete(unknown, { account_id }),
      () => c.sdk.kv.namespaces.keys.list(unknown, { account_id }),
      () => c.sdk.kv.namespaces.values.get("k", { account_id, namespace_id: unknown }),
      () => c.sdk.kv.namespaces.values.update("k", { account_id, namespace_id: unknown, value: "v" }),
      () => c.sdk.kv.namespaces.values.delete("k", { account_id, namespace_id: unknown }),
      () => c.sdk.kv.namespaces.metadata.get("k", { account_id, namespace_id: unknown }),
      () => c.sdk.kv.namespaces.bulkUpdate(unknown, { account_id, body: [{ key: "k", value: "v" }] }),
      () => c.sdk.kv.namespaces.bulkDelete(unknown, { account_id, body: ["k"] }),
      () => c.sdk.kv.namespaces.bulkGet(unknown, { account_id, keys: ["k"] }),
      () => c.sdk.kv.namespaces.get("not-an-id", { account_id }),
    ]) {
      expect(await sdkFailure(call())).toMatchObject({ status: 404, code: 10013 });
    }
  });

  it("pages with page/per_page and orders by id or title in either direction", async () => {
    const { account_id, c } = await freshAccount();
    const titles = ["delta", "alpha", "echo", "charlie", "bravo"];
    const ids: Record<string, string> = {};
    for (const title of titles) ids[title] = (await c.sdk.kv.namespaces.create({ account_id, title })).id;

    const byTitle = await c.raw("GET", `/accounts/${account_id}/storage/kv/namespaces?order=title&direction=asc&per_page=2&page=2`);
    const body = await byTitle.json();
    expect(body.result.map((n: { title: string }) => n.title)).toEqual(["charlie", "delta"]);
    expect(body.result_info).toEqual({ count: 2, page: 2, per_page: 2, total_count: 5, total_pages: 3 });

    const desc = await c.sdk.kv.namespaces.list({ account_id, order: "title", direction: "desc", per_page: 10 });
    expect(desc.result.map((n) => n.title)).toEqual(["echo", "delta", "charlie", "bravo", "alpha"]);

    const byId = await c.sdk.kv.namespaces.list({ account_id, order: "id", per_page: 10 });
    expect(byId.result.map((n) => n.id)).toEqual(Object.values(ids).sort());

    // The SDK's page iterator walks page after page until it meets an empty page.
    const all: string[] = [];
    for await (const ns of c.sdk.kv.namespaces.list({ account_id, per_page: 2, order: "title" })) all.push(ns.title);
    expect(all).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);

    const beyond = await (await c.raw("GET", `/accounts/${account_id}/storage/kv/namespaces?page=9&per_page=2`)).json();
    expect(beyond.result).toEqual([]);
    expect(beyond.result_info).toMatchObject({ count: 0, page: 9, total_count: 5 });
  });

  it("defaults to 20 a page and accepts up to 1000", async () => {
    const { account_id, c } = await freshAccount();
    for (let i = 0; i < 21; i++) await c.sdk.kv.namespaces.create({ account_id, title: `t${String(i).padStart(2, "0")}` });
    const first = await (await c.raw("GET", `/accounts/${account_id}/storage/kv/namespaces`)).json();
    expect(first.result).toHaveLength(20);
    expect(first.result_info).toEqual({ count: 20, page: 1, per_page: 20, total_count: 21, total_pages: 2 });
    const big = await (await c.raw("GET", `/accounts/${account_id}/storage/kv/namespaces?per_page=1000`)).json();
    expect(big.result).toHaveLength(21);
  });

  it.each([["per_page=0"], ["per_page=1001"], ["page=0"], ["page=x"], ["order=created"], ["direction=up"]])(
    "refuses a bad list parameter: %s",
    async (query) => {
      const failure = await rawFailure(await c.raw("GET", `${c.path()}?${query}`));
      expect(failure).toMatchObject({ status: 400, code: 10001 });
    },
  );

  it("refuses a missing, empty or over-long title, and bad JSON", async () => {
    for (const body of [{}, { title: "" }, { title: "   " }, { title: 42 }, { title: "x".repeat(513) }]) {
      expect(await rawFailure(await c.raw("POST", c.path(), { body }))).toMatchObject({ status: 400, code: 10001 });
    }
    const badJson = await c.raw("POST", c.path(), { body: "{title:", headers: { "content-type": "application/json" } });
    expect(await rawFailure(badJson)).toMatchObject({ status: 400, code: 10001 });
    expect(
      (await c.sdk.kv.namespaces.create({ account_id: kv.accountId, title: "y".repeat(512) + Date.now() }).catch((e) => e)).status,
    ).toBe(400);
    const fresh = await freshAccount();
    const ok = await fresh.c.sdk.kv.namespaces.create({ account_id: fresh.account_id, title: "é".repeat(512) });
    expect(ok.title).toHaveLength(512);
  });

  it(`allows ${MAX_NAMESPACES_PER_ACCOUNT} namespaces per account, not one more, even when created concurrently`, async () => {
    const { account_id, c } = await freshAccount();
    // Fill up to the cap straight through the store (fast), then race the last slots over HTTP.
    for (let i = 0; i < MAX_NAMESPACES_PER_ACCOUNT - 3; i++) await kv.store.createNamespace(account_id, `bulk-${i}`);
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => c.sdk.kv.namespaces.create({ account_id, title: `race-${i}` })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(3);
    for (const a of attempts) {
      if (a.status === "rejected") expect(a.reason).toMatchObject({ status: 400 });
    }
    expect(await sdkFailure(c.sdk.kv.namespaces.create({ account_id, title: "one-more" }))).toMatchObject({ status: 400, code: 10026 });
    expect(await kv.store.countNamespaces(account_id)).toBe(MAX_NAMESPACES_PER_ACCOUNT);
  });
});
