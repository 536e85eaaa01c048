// The optimistic cache end to end, the cases that need no waiting: refused keys and batches come
// back as errors, large deletes go out in bulk requests and stay hidden, creates land on their own
// page. Same setup as optimistic-cache.test.ts (tests/helpers/key-cache.ts): the local KV API with
// a consistency delay, so the upstream still lists what was just deleted.
import { describe, expect, test } from "vitest";
import { deleteKeys, writeKey } from "~/features/keys/mutations.server";
import { keyCacheHarness, names, namesOf, putForm, rowOf, type KeySeed } from "../helpers/key-cache";
import { listMarks } from "../helpers/marks";
import { recordingClient } from "../helpers/upstream-client";

const DELAY_MS = 30_000;

const SEEDS: Record<string, KeySeed> = {
  failures: { keys: names("f-", 10) },
  bulk: { keys: names("b-", 25_000, 5) },
  batchFails: { keys: names("x-", 10_005, 5) },
  pages: { keys: names("p-", 2_500) },
};
const h = keyCacheHarness(SEEDS, DELAY_MS);
const { ns, target, scopeOf, page, listedUpstream, requestsTo } = h;

describe("marks without waiting", () => {
  test("one key of a batch refused: only it comes back, as an error; the other four stay hidden", async () => {
    const id = ns.failures;
    const batch = names("f-", 5);
    h.kv.setFaults({ failKeys: "^f-0002$" });
    let result;
    try {
      result = await deleteKeys(target(id), batch);
    } finally {
      h.kv.faults.reset();
    }
    expect(result).toMatchObject({ requested: 5, succeeded: 4 });
    expect(result.failed).toEqual([{ key: "f-0002", error: expect.stringMatching(/did not delete this key/) }]);

    const reload = await page(id);
    expect(namesOf(reload.keys)).toEqual(["f-0002", ...names("f-", 10).slice(5)]);
    expect(reload.hidden).toBe(4);
    expect(rowOf(reload.keys, "f-0002")!._meta).toMatchObject({ status: "error", intent: "delete", error: result.failed[0].error });
    expect(reload.keys.filter((k) => k._meta)).toHaveLength(1);
    const marks = await listMarks(h.kv.db, scopeOf(id));
    expect(marks.map((m) => [m.resourceId, m.status])).toEqual(batch.map((k) => [k, k === "f-0002" ? "error" : "deleting"]));

    // Retrying the one that failed hides it again.
    const retry = await deleteKeys(target(id), ["f-0002"]);
    expect(retry).toMatchObject({ succeeded: 1, failed: [] });
    const again = await page(id);
    expect(namesOf(again.keys)).toEqual(names("f-", 10).slice(5));
    expect(again.hidden).toBe(5);
  });

  test("a single-key delete the upstream refuses carries the upstream's error on the key's mark", async () => {
    const id = ns.failures;
    h.kv.setFaults({ failKeys: "^f-0009$" });
    let result;
    try {
      result = await deleteKeys(target(id), ["f-0009"]);
    } finally {
      h.kv.faults.reset();
    }
    expect(result.succeeded).toBe(0);
    expect(result.failed).toEqual([{ key: "f-0009", error: expect.stringContaining("kvdeck fault injection: failKeys") }]);
    const reload = await page(id);
    expect(rowOf(reload.keys, "f-0009")!._meta).toMatchObject({ status: "error", error: result.failed[0].error });
  });

  test("an edit the upstream refuses leaves no mark behind and says why", async () => {
    const id = ns.failures;
    h.kv.setFaults({ failKeys: "^f-0008$" });
    let result;
    try {
      result = await writeKey(target(id), putForm({ mode: "edit", name: "f-0008", value: "new", metadata: '{"v":2}' }));
    } finally {
      h.kv.faults.reset();
    }
    expect(result).toEqual({ ok: false, error: expect.stringContaining("kvdeck fault injection: failKeys") });
    expect(await h.cache.getOne(scopeOf(id), "f-0008")).toBeNull();
    expect(rowOf((await page(id)).keys, "f-0008")).toEqual({ name: "f-0008" });
  });

  test("a bulk request that fails as a whole turns only its own batch's keys into errors", async () => {
    const id = ns.batchFails;
    // The first batch (10,000 keys) goes through; every attempt at the second (5 keys) gets a 500.
    let smallBatchAttempts = 0;
    const secondBatchFails: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const keys = url.endsWith("/bulk/delete") && typeof init?.body === "string" ? (JSON.parse(init.body) as string[]) : null;
      if (keys && keys.length === 5) {
        smallBatchAttempts++;
        const body = { success: false, errors: [{ code: 10043, message: "Internal error" }], messages: [], result: null };
        return Promise.resolve(new Response(JSON.stringify(body), { status: 500, headers: { "content-type": "application/json" } }));
      }
      return fetch(input, init);
    };
    const { upstream: flaky } = recordingClient({ server: h.kv, fetch: secondBatchFails, retries: 1 });
    const result = await deleteKeys({ cache: h.cache, upstream: flaky, namespaceId: id }, SEEDS.batchFails.keys);
    expect(smallBatchAttempts).toBe(2); // the second batch, then its one retry
    expect(result).toMatchObject({ requested: 10_005, succeeded: 10_000 });
    expect(result.failed).toEqual(names("x-1000", 5, 1).map((key) => ({ key, error: "Internal error" })));

    const first = await page(id);
    expect(first.keys).toEqual([]);
    expect(first.hidden).toBe(1000);
    const tail = await page(id, null, "", "x-1000");
    expect(namesOf(tail.keys)).toEqual(names("x-1000", 5, 1));
    expect(tail.keys.every((k) => k._meta?.status === "error" && k._meta.error === "Internal error")).toBe(true);
    expect((await listMarks(h.kv.db, scopeOf(id))).filter((m) => m.status === "error")).toHaveLength(5);
  });

  test("a bulk delete of 25,000 keys goes out as 3 bulk requests and hides every one of them", async () => {
    const id = ns.bulk;
    const all = SEEDS.bulk.keys;
    const before = requestsTo(id).length;
    const result = await deleteKeys(target(id), all);
    expect(result).toMatchObject({ requested: 25_000, succeeded: 25_000, failed: [] });
    const sent = requestsTo(id).slice(before);
    expect(sent).toHaveLength(3);
    expect(sent.every((r) => r.method === "POST" && r.path.endsWith("/bulk/delete"))).toBe(true);
    expect(await listMarks(h.kv.db, scopeOf(id))).toHaveLength(25_000);

    // Every page the upstream still lists comes back empty, all hidden, and paging goes on.
    let after: string | null = null;
    let cursor = "";
    let pages = 0;
    let hidden = 0;
    do {
      const p = await page(id, after, cursor);
      expect(p.keys).toEqual([]);
      hidden += p.hidden;
      pages++;
      after = p.pageEnd;
      cursor = p.cursor;
    } while (cursor !== "");
    expect(pages).toBe(25);
    expect(hidden).toBe(25_000);
    // The upstream has not applied them yet: nothing was cleared.
    expect(await listMarks(h.kv.db, scopeOf(id))).toHaveLength(25_000);
  });

  test("pages of 1,000 over 2,500 keys: each created key shows on its own page only, never twice", async () => {
    const id = ns.pages;
    // Before the first key, on a page boundary (between page 1's last and page 2's first), in the
    // middle of page 2, and after the last key.
    const creates = ["a-first", "p-0999a", "p-1500a", "q-last"];
    for (const name of creates) {
      const result = await writeKey(target(id), putForm({ mode: "create", name, value: name }));
      expect(result.ok, name).toBe(true);
    }

    const p1 = await page(id);
    const p2 = await page(id, p1.pageEnd, p1.cursor);
    const p3 = await page(id, p2.pageEnd, p2.cursor);
    expect(p1.pageEnd).toBe("p-0999");
    expect(p2.pageEnd).toBe("p-1999");
    expect(p3.cursor).toBe("");

    const seeded = SEEDS.pages.keys;
    expect(namesOf(p1.keys)).toEqual(["a-first", ...seeded.slice(0, 1000)]);
    expect(namesOf(p2.keys)).toEqual(["p-0999a", ...seeded.slice(1000, 1501), "p-1500a", ...seeded.slice(1501, 2000)]);
    expect(namesOf(p3.keys)).toEqual([...seeded.slice(2000), "q-last"]);

    const everything = [...p1.keys, ...p2.keys, ...p3.keys];
    for (const name of creates) {
      const shown = everything.filter((k) => k.name === name);
      expect(shown, name).toHaveLength(1);
      expect(shown[0]._meta?.status, name).toBe("creating");
    }
    expect(everything.filter((k) => k._meta)).toHaveLength(creates.length);
    expect(await listedUpstream(id)).not.toContain("p-1500a");

    // A prefix view shows only the marks under its prefix.
    const prefixed = await page(id, null, "", "p-150");
    expect(namesOf(prefixed.keys)).toEqual([...seeded.slice(1500, 1501), "p-1500a", ...seeded.slice(1501, 1510)]);
    const none = await page(id, null, "", "p-2");
    expect(namesOf(none.keys)).toEqual(seeded.slice(2000));
  });
});
