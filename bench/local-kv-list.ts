// Benchmark: list pages over HTTP at 1,000,000 keys. Not a test: run by hand with
//   npx tsx bench/local-kv-list.ts [keys] [pages]
// Seeds an in-memory PGlite with one INSERT … SELECT FROM generate_series, then times list pages
// (1000 keys each, the default) at random cursors and random prefixes through the real router.
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import express from "express";
import { openDatabase } from "~/db/client.server";
import { LocalKvStore, createLocalKvApi, encodeCursor } from "@kvdeck/local-kv";

const KEYS = Number(process.argv[2] ?? 1_000_000);
const PAGES = Number(process.argv[3] ?? 200);
const WARMUP = 20;
const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
const TOKEN = "bench-token-0123456789";
const PREFIXES = 1000;

/** The i-th seeded key: 1000 "users", so a prefix "user:N/" holds KEYS / 1000 keys. */
const keyName = (i: number) => `user:${i % PREFIXES}/session:${String(i).padStart(7, "0")}`;
const randomInt = (n: number) => Math.floor(Math.random() * n);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const database = await openDatabase({});
  const store = new LocalKvStore(database.db, 0);
  const ns = (await store.createNamespace(ACCOUNT, "bench"))!.id;

  let started = performance.now();
  await store.executeSeed(sql`
    insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
    select ${ns}, 'user:' || (i % ${PREFIXES}) || '/session:' || lpad(i::text, 7, '0'),
           convert_to('value-' || i, 'UTF8'),
           case when i % 10 = 0 then '{"tier":"gold"}' end,
           case when i % 7 = 0 then 4102444800 end
    from generate_series(0, ${KEYS - 1}) as i`);
  await store.analyze();
  console.log(`seeded ${KEYS.toLocaleString("en")} keys in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const app = express();
  app.use("/client/v4", createLocalKvApi({ store, token: TOKEN }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${ns}/keys`;

  const request = (): { kind: string; url: string } => {
    const roll = Math.random();
    if (roll < 0.5) return { kind: "cursor", url: `${base}?cursor=${encodeCursor(keyName(randomInt(KEYS)))}` };
    const prefix = `user:${randomInt(PREFIXES)}/`;
    if (roll < 0.75) return { kind: "prefix", url: `${base}?prefix=${encodeURIComponent(prefix)}` };
    // A cursor inside a prefix: the second page of a filtered listing.
    const inside = `${prefix}session:${String(randomInt(KEYS)).padStart(7, "0")}`;
    return { kind: "prefix+cursor", url: `${base}?prefix=${encodeURIComponent(prefix)}&cursor=${encodeCursor(inside)}&limit=100` };
  };

  const timings: Record<string, number[]> = { all: [] };
  let keysSeen = 0;
  for (let i = 0; i < WARMUP + PAGES; i++) {
    const { kind, url } = request();
    started = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { success: boolean; result: unknown[] };
    const ms = performance.now() - started;
    if (!body.success) throw new Error(`list failed: ${JSON.stringify(body)}`);
    if (i < WARMUP) continue;
    keysSeen += body.result.length;
    (timings[kind] ??= []).push(ms);
    timings.all.push(ms);
  }

  console.log(`${PAGES} list pages over HTTP (${(keysSeen / PAGES).toFixed(0)} keys a page on average):`);
  for (const [kind, list] of Object.entries(timings)) {
    const sorted = [...list].sort((a, b) => a - b);
    const fmt = (p: number) => percentile(sorted, p).toFixed(1).padStart(6);
    console.log(`  ${kind.padEnd(14)} n=${String(sorted.length).padStart(3)}  p50 ${fmt(50)} ms  p95 ${fmt(95)} ms  p99 ${fmt(99)} ms`);
  }
  server.close();
  await database.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
