// The test helpers' teardown: a database closes only once nothing uses it any more and refuses,
// loudly and by name, whatever a test left running; a local KV API closes only once the requests
// it was handling have finished; a local KV API stops the jobs that use it before it closes.
import { sql } from "drizzle-orm";
import type { Pool } from "pg";
import { expect, test, vi } from "vitest";
import { openTestDatabase } from "./db";
import { startLocalKv } from "./local-kv";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
/** Lets every pending microtask run (close() gets to its first wait on I/O). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("close() awaits a query still running and names it; a query after close() began is refused by name", async () => {
  const database = await openTestDatabase();
  const entered = deferred();
  const gate = deferred();
  const transaction = database.db.transaction(async (tx) => {
    entered.resolve();
    await gate.promise;
    return tx.execute(sql`select 1 as inside`);
  });
  await entered.promise;
  const closing = database.close();
  const closed = closing.catch((error: Error) => error);
  await settle();
  const late = await database.db.execute(sql`select 1 as late_query`).catch((e: Error) => e);
  expect((late as Error).cause).toMatchObject({ message: expect.stringMatching(/select 1 as late_query.* after close\(\) began/) });
  gate.resolve();
  // The transaction was let finish, not cut off under it.
  await expect(transaction).resolves.toBeDefined();
  const error = await closed;
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/1 queries still running once everything the test registered had stopped/);
  expect((error as Error).message).toMatch(/select 1 as late_query/);
});

test("close() stops the users registered with use(), newest first, before it closes", async () => {
  const database = await openTestDatabase();
  const order: string[] = [];
  database.use("first", async () => {
    await database.db.execute(sql`select 1`);
    order.push("first");
  });
  const forget = database.use("forgotten", async () => void order.push("forgotten"));
  database.use("second", async () => {
    await database.db.execute(sql`select 2`);
    order.push("second");
  });
  forget();
  await database.close();
  expect(order).toEqual(["second", "first"]);
});

test.skipIf(!process.env.KVDECK_TEST_DATABASE_URL)(
  "on PostgreSQL, every connection has closed before the database is dropped (no 57P01 under the pool)",
  async () => {
    const sockets: { destroyed: boolean }[] = [];
    let openAtDrop: number | null = null;
    const database = await openTestDatabase({
      beforeDrop: () => void (openAtDrop = sockets.filter((s) => !s.destroyed).length),
    });
    const pool = (database.db as unknown as { $client: Pool }).$client;
    pool.on("connect", (client) =>
      sockets.push((client as unknown as { connection: { stream: { destroyed: boolean } } }).connection.stream),
    );
    await Promise.all(Array.from({ length: 6 }, () => database.db.execute(sql`select pg_sleep(0.05)`)));
    expect(sockets.length).toBeGreaterThan(1);
    await database.close();
    expect(openAtDrop).toBe(0);
  },
);

test("a local KV API closes only once the requests it was handling have finished, even ones whose client gave up", async () => {
  const kv = await startLocalKv();
  const ns = (await kv.store.createNamespace(kv.accountId, "slow"))!.id;
  const entered = deferred();
  const gate = deferred();
  let handled = false;
  const getNamespace = kv.store.getNamespace.bind(kv.store);
  vi.spyOn(kv.store, "getNamespace").mockImplementation(async (...args) => {
    entered.resolve();
    await gate.promise;
    const found = await getNamespace(...args);
    handled = true;
    return found;
  });
  const client = new AbortController();
  const request = fetch(`${kv.baseUrl}/accounts/${kv.accountId}/storage/kv/namespaces/${ns}/values/k`, {
    headers: { authorization: `Bearer ${kv.token}` },
    signal: client.signal,
  }).catch((error: Error) => error.name);
  await entered.promise;
  client.abort();
  expect(await request).toBe("AbortError");
  const closing = kv.close();
  // Late enough that a close() which did not wait for the handler would have closed the database.
  setTimeout(gate.resolve, 200);
  await closing;
  expect(handled).toBe(true);
});
