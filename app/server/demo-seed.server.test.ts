// The demo seed says what it is doing while it does it (the first start used to print nothing for
// minutes on a busy machine), writes the same keys however the page cache is chunked, and is
// quiet when there is nothing to seed.
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { LocalKvStore } from "@kvdeck/local-kv";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { DEMO_NAMESPACES, PAGE_CACHE_CHUNK, seedDemo } from "./demo-seed.server";

const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
let database: TestDatabase;
let store: LocalKvStore;

beforeAll(async () => {
  database = await openTestDatabase();
  store = new LocalKvStore(database.db, 0);
});
afterAll(async () => {
  await database.close();
});

test("tells what it seeds before and while it writes, then how long it took; quiet once seeded", async () => {
  const pageCacheKeys = 2 * PAGE_CACHE_CHUNK + 5_000;
  const events: string[] = [];
  const executeSeed = store.executeSeed.bind(store);
  vi.spyOn(store, "executeSeed").mockImplementation((query) => {
    events.push("(sql)");
    return executeSeed(query);
  });
  await seedDemo(store, { accountId: ACCOUNT, pageCacheKeys, sessionKeys: 100, progressEveryMs: 0, log: (line) => events.push(line) });

  const seconds = String.raw`in \d+\.\d s`;
  const expected = [
    /^kvdeck: seeding the demo namespaces \(45,000 keys in page-cache, 100 in sessions, feature-flags, assets, empty-namespace\); KVDECK_SEED=none skips this…$/,
    /^\(sql\)$/,
    /^kvdeck: {3}page-cache: 20,000 of 45,000 keys…$/,
    /^\(sql\)$/,
    /^kvdeck: {3}page-cache: 40,000 of 45,000 keys…$/,
    /^\(sql\)$/,
    new RegExp(`^kvdeck:   page-cache: 45,000 keys ${seconds}$`),
    /^\(sql\)$/,
    new RegExp(`^kvdeck:   sessions: 100 keys ${seconds}$`),
    new RegExp(`^kvdeck:   feature-flags: 50 keys ${seconds}$`),
    new RegExp(`^kvdeck:   assets: 301 keys ${seconds}$`),
    new RegExp(`^kvdeck:   empty-namespace: 0 keys ${seconds}$`),
    /^kvdeck: {3}updating planner statistics…$/,
    new RegExp(`^kvdeck: demo seeded ${seconds}$`),
  ];
  expect(events).toHaveLength(expected.length);
  events.forEach((event, i) => expect(event, `event ${i}`).toMatch(expected[i]));

  // The chunks cover the page cache exactly once each key (the table's key is unique per namespace).
  const { namespaces } = await store.listNamespaces(ACCOUNT, { page: 1, perPage: 100, order: "title", direction: "asc" });
  expect(namespaces.map((n) => n.title).sort()).toEqual([...DEMO_NAMESPACES].sort());
  const pageCache = namespaces.find((n) => n.title === "page-cache")!;
  expect(await store.countKeys(pageCache.id)).toBe(pageCacheKeys);

  const again: string[] = [];
  await seedDemo(store, { accountId: ACCOUNT, pageCacheKeys, log: (line) => again.push(line) });
  expect(again).toEqual([]);
});
