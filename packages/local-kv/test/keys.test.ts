// Listing keys: byte order of UTF-8 names across pages, prefixes, cursors, limits, metadata and
// expiration in the listing, and pages that are empty but still carry a cursor.
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { rawFailure, sdkFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";

const { kv, c } = useLocalKv();
let ns: string;
beforeEach(async () => {
  ns = await c.namespace("keys");
});

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function writeKeys(keys: string[], extra: Record<string, unknown> = {}) {
  await c.sdk.kv.namespaces.bulkUpdate(ns, { account_id: kv.accountId, body: keys.map((key) => ({ key, value: "v", ...extra })) });
}

interface Page {
  names: string[];
  cursor: string;
  count: number;
}
async function page(query: Record<string, string | number>): Promise<Page> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  const res = await c.raw("GET", `${c.path(ns)}/keys${qs ? `?${qs}` : ""}`);
  expect(res.status).toBe(200);
  const body = await res.json();
  return { names: body.result.map((k: { name: string }) => k.name), cursor: body.result_info.cursor, count: body.result_info.count };
}

/** Follows the cursor until it is empty, as a client must; returns every page. */
async function allPages(query: Record<string, string | number>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor = "";
  do {
    const next = await page(cursor ? { ...query, cursor } : query);
    pages.push(next);
    cursor = next.cursor;
  } while (cursor !== "");
  return pages;
}

describe("order", () => {
  const keys = [
    "a",
    "z",
    "A",
    "Z",
    "é",
    "ß",
    "中",
    "😀",
    "\uFFFD",
    "¡",
    "0",
    "~",
    "a0",
    "aa",
    "ab",
    "a/",
    "a.b",
    "É",
    "ö",
    "ÿ",
    "Ā",
    "\u0800",
    "\uE000",
    "\uFFFF",
    "𐀀",
    "👍",
    "ab😀",
    "ab\uFFFD",
    "Ab",
    "aB",
  ];

  it("lists names in the byte order of their UTF-8 encoding, across pages of 10", async () => {
    await writeKeys(keys);
    const pages = await allPages({ limit: 10 });
    expect(pages.map((p) => p.names.length)).toEqual([10, 10, 10]);
    expect(pages.map((p) => p.count)).toEqual([10, 10, 10]);
    expect(pages[2].cursor).toBe("");
    const listed = pages.flatMap((p) => p.names);
    expect(listed).toEqual([...keys].sort(byUtf8));
    // The order JavaScript's default sort would give (UTF-16 units) differs exactly here.
    expect(listed.indexOf("\uFFFD")).toBeLessThan(listed.indexOf("😀"));
    expect(listed.indexOf("ab\uFFFD")).toBeLessThan(listed.indexOf("ab😀"));
    expect([...keys].sort()).not.toEqual(listed);
    // Upper case sorts before lower case.
    expect(listed.indexOf("Z")).toBeLessThan(listed.indexOf("a"));
  });

  it("filters by prefix, including non-ASCII prefixes and prefixes at the top of the code space", async () => {
    await writeKeys(keys);
    const names = async (prefix: string) => (await allPages({ prefix, limit: 10 })).flatMap((p) => p.names);
    expect(await names("a")).toEqual(["a", "a.b", "a/", "a0", "aB", "aa", "ab", "ab\uFFFD", "ab😀"]);
    expect(await names("ab")).toEqual(["ab", "ab\uFFFD", "ab😀"]);
    expect(await names("中")).toEqual(["中"]);
    expect(await names("\uFFFF")).toEqual(["\uFFFF"]);
    expect(await names("\uFFFD")).toEqual(["\uFFFD"]);
    expect(await names("😀")).toEqual(["😀"]);
    expect(await names("nothing-here")).toEqual([]);
    const sdkNames = (await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId, prefix: "é" })).result.map((k) => k.name);
    expect(sdkNames).toEqual(["é"]);
  });

  it("compares a cursor with a prefix in byte order, not UTF-16 order", async () => {
    await writeKeys(["a", "b", "c", "d", "e", "f", "g", "h", "\uFFFD", "😀", "🚀"]);
    const first = await page({ limit: 10 });
    expect(first.names.at(-1)).toBe("😀");
    expect((await page({ limit: 10, cursor: first.cursor })).names).toEqual(["🚀"]);
    // "After 😀" leaves nothing that starts with "\uFFFD" (EF BF BD < F0 9F 98 80); a UTF-16
    // comparison (D83D < FFFD) would restart at the prefix and list "\uFFFD" again.
    expect((await page({ limit: 10, cursor: first.cursor, prefix: "\uFFFD" })).names).toEqual([]);
    expect((await page({ limit: 10, prefix: "\uFFFD" })).names).toEqual(["\uFFFD"]);
  });
});

describe("limit and cursor", () => {
  it("defaults to 1000 a page and honours 10 and 1000", async () => {
    await writeKeys(Array.from({ length: 1005 }, (_, i) => `k${String(i).padStart(4, "0")}`));
    const first = await page({});
    expect(first.names).toHaveLength(1000);
    expect(first.cursor).not.toBe("");
    const rest = await page({ cursor: first.cursor });
    expect(rest.names).toEqual(["k1000", "k1001", "k1002", "k1003", "k1004"]);
    expect(rest.cursor).toBe("");
    expect((await page({ limit: 10 })).names).toHaveLength(10);
    expect((await page({ limit: 1000 })).names).toHaveLength(1000);
  });

  it.each(["9", "1001", "0", "-10", "ten", "10.5", "1e3"])("refuses limit=%s with 10028", async (limit) => {
    expect(await rawFailure(await c.raw("GET", `${c.path(ns)}/keys?limit=${limit}`))).toMatchObject({ status: 400, code: 10028 });
  });

  it("refuses limit 9 and 1001 through the SDK too", async () => {
    for (const limit of [9, 1001]) {
      expect(await sdkFailure(c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId, limit }))).toMatchObject({
        status: 400,
        code: 10028,
      });
    }
  });

  it.each(["%%%", "not a cursor", "YQ==", "YQ=", "!!", "YWJj*"])("refuses cursor %s with 10041", async (cursor) => {
    const res = await c.raw("GET", `${c.path(ns)}/keys?cursor=${encodeURIComponent(cursor)}`);
    expect(await rawFailure(res)).toMatchObject({ status: 400, code: 10041 });
  });

  it("treats an empty cursor as the start", async () => {
    await writeKeys(["x", "y"]);
    expect((await page({ cursor: "" })).names).toEqual(["x", "y"]);
  });

  it("answers exactly limit keys with an empty cursor when nothing follows", async () => {
    await writeKeys(Array.from({ length: 10 }, (_, i) => `k${i}`));
    const only = await page({ limit: 10 });
    expect(only.names).toHaveLength(10);
    expect(only.cursor).toBe("");
  });
});

describe("what a listing carries", () => {
  it("gives name, expiration and metadata, and leaves out what a key does not have", async () => {
    const at = nowSeconds() + 7200;
    await c.sdk.kv.namespaces.bulkUpdate(ns, {
      account_id: kv.accountId,
      body: [
        { key: "plain", value: "v" },
        { key: "meta", value: "v", metadata: { a: [1, 2], b: null } },
        { key: "exp", value: "v", expiration: at },
        { key: "both", value: "v", expiration: at, metadata: "s" },
      ],
    });
    const listed = (await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId })).result;
    expect(listed).toEqual([
      { name: "both", expiration: at, metadata: "s" },
      { name: "exp", expiration: at },
      { name: "meta", metadata: { a: [1, 2], b: null } },
      { name: "plain" },
    ]);
  });
});

describe("empty pages", () => {
  /** Makes keys expired by writing a past expiration straight into the table (as time passing would). */
  async function expire(names: string[]) {
    await kv.store.executeSeed(sql`
      update local_kv_entries set expiration = ${nowSeconds() - 10}
      where namespace_id = ${ns} and key in (select jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))`);
  }

  it("can answer pages with no keys that still carry a cursor; following it finds the rest", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, "0")}`);
    await writeKeys(names);
    await expire(names.slice(0, 20));
    const pages = await allPages({ limit: 10 });
    expect(pages.map((p) => p.names.length)).toEqual([0, 0, 10]);
    expect(pages[0].cursor).not.toBe("");
    expect(pages[1].cursor).not.toBe("");
    expect(pages[0].count).toBe(0);
    expect(pages.flatMap((p) => p.names)).toEqual(names.slice(20));
  });

  it("also empties pages in the middle, and reads of expired keys answer 10009", async () => {
    const names = Array.from({ length: 25 }, (_, i) => `m${String(i).padStart(2, "0")}`);
    await writeKeys(names);
    await expire(names.slice(10, 20));
    const pages = await allPages({ limit: 10 });
    expect(pages.map((p) => p.names.length)).toEqual([10, 0, 5]);
    const read = c.sdk.kv.namespaces.values.get("m15", { account_id: kv.accountId, namespace_id: ns });
    expect(await sdkFailure(read)).toMatchObject({ status: 404, code: 10009 });
  });

  it("the SDK's auto-pagination stops at the first empty page; paging by hand gets everything (why kvdeck pages by hand)", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, "0")}`);
    await writeKeys(names);
    await expire(names.slice(0, 20));

    const viaIterator: string[] = [];
    for await (const key of c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId, limit: 10 })) viaIterator.push(key.name);
    expect(viaIterator).toEqual([]);

    const byHand: string[] = [];
    let cursor: string | undefined;
    let requests = 0;
    do {
      const sdkPage = await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId, limit: 10, ...(cursor ? { cursor } : {}) });
      requests++;
      byHand.push(...sdkPage.result.map((k) => k.name));
      cursor = sdkPage.result_info.cursor || undefined;
    } while (cursor);
    expect(byHand).toEqual(names.slice(20));
    expect(requests).toBe(3);
  });
});
