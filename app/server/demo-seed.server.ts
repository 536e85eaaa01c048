// Demo data for the local KV API, seeded by createServices (app/services.server.ts) on a first
// start: a few namespaces that look like what people keep in KV. Written straight into the store
// with set-based SQL, so the first start takes seconds (more on a busy machine: it says what it is
// doing, namespace by namespace, with the page cache's progress).
import { sql } from "drizzle-orm";
import type { LocalKvStore } from "@kvdeck/local-kv";
import { nowSeconds } from "~/utils/time";

export interface DemoOptions {
  accountId: string;
  /** Keys in the page cache (the big one). */
  pageCacheKeys?: number;
  sessionKeys?: number;
  log?: (line: string) => void;
  /** How often the page cache's progress is told while it fills; 0 for every chunk. */
  progressEveryMs?: number;
}

export const DEMO_NAMESPACES = ["page-cache", "sessions", "feature-flags", "assets", "empty-namespace"] as const;

/** Page-cache keys written per statement, so that its progress can be told as it fills. */
export const PAGE_CACHE_CHUNK = 20_000;
const PROGRESS_EVERY_MS = 3_000;

/** Seeds the demo once: namespaces that already exist are left as they are. Says what it does. */
export async function seedDemo(store: LocalKvStore, options: DemoOptions): Promise<void> {
  const log = options.log ?? (() => {});
  const pageCacheKeys = options.pageCacheKeys ?? 200_000;
  const sessionKeys = options.sessionKeys ?? 20_000;
  const started = Date.now();
  const now = nowSeconds();
  let seeded = 0;
  /** Creates the namespace unless it exists, then fills it, saying so. */
  const seed = async (title: (typeof DEMO_NAMESPACES)[number], fill: (namespaceId: string) => Promise<number>) => {
    const ns = await store.createNamespace(options.accountId, title);
    if (!ns) return;
    if (seeded++ === 0) {
      log(
        `kvdeck: seeding the demo namespaces (${count(pageCacheKeys)} keys in page-cache, ${count(sessionKeys)} in sessions, ` +
          "feature-flags, assets, empty-namespace); KVDECK_SEED=none skips this…",
      );
    }
    const begun = Date.now();
    const keys = await fill(ns.id);
    log(`kvdeck:   ${title}: ${count(keys)} keys in ${seconds(Date.now() - begun)}`);
  };

  await seed("page-cache", async (id) => {
    let told = Date.now();
    for (let from = 1; from <= pageCacheKeys; from += PAGE_CACHE_CHUNK) {
      const to = Math.min(pageCacheKeys, from + PAGE_CACHE_CHUNK - 1);
      await fillPageCache(store, id, from, to, now);
      if (to < pageCacheKeys && Date.now() - told >= (options.progressEveryMs ?? PROGRESS_EVERY_MS)) {
        log(`kvdeck:   page-cache: ${count(to)} of ${count(pageCacheKeys)} keys…`);
        told = Date.now();
      }
    }
    return pageCacheKeys;
  });
  await seed("sessions", (id) => fillSessions(store, id, sessionKeys, now).then(() => sessionKeys));
  await seed("feature-flags", (id) => fillFlags(store, id));
  await seed("assets", (id) => fillAssets(store, id));
  await seed("empty-namespace", async () => 0);
  if (seeded === 0) return;
  log("kvdeck:   updating planner statistics…");
  await store.analyze();
  log(`kvdeck: demo seeded in ${seconds(Date.now() - started)}`);
}

const count = (n: number) => n.toLocaleString("en");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Page-cache keys number `from` to `to` (from 1): the same keys however they are chunked. */
async function fillPageCache(store: LocalKvStore, namespaceId: string, from: number, to: number, now: number) {
  // Paths under a handful of sections, a cache-tag per section, expirations from 1 to 30 days.
  await store.executeSeed(sql`
    insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
    select ${namespaceId},
      'https://shop.example.com/' || section || '/' || lpad(i::text, 7, '0') || '-' || substr(md5(i::text), 1, 6),
      convert_to('<!doctype html><title>' || section || ' ' || i || '</title><main>cached page ' || i || ' of ' || section || '</main>', 'UTF8'),
      json_build_object('cache-tag', section, 'contentType', 'text/html', 'status', case when i % 50 = 0 then 404 else 200 end, 'bytes', 80 + (i % 900))::text,
      case when i % 10 = 0 then null else ${now} + 86400 + (hashtext(i::text) & 2147483647) % (29 * 86400) end
    from generate_series(${from}::int, ${to}::int) as i,
      lateral (select (array['products','blog','category','search','account','checkout','help','news'])[1 + (i % 8)] as section) s`);
}

async function fillSessions(store: LocalKvStore, namespaceId: string, count: number, now: number) {
  await store.executeSeed(sql`
    insert into local_kv_entries (namespace_id, key, value, metadata, expiration)
    select ${namespaceId},
      'session:' || md5('session' || i),
      convert_to(json_build_object('userId', 'user-' || (i % 5000), 'createdAt', to_char(to_timestamp(${now} - (i % 86400)), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'cart', json_build_array(i % 7, i % 11))::text, 'UTF8'),
      json_build_object('user', 'user-' || (i % 5000), 'tier', (array['free','pro','enterprise'])[1 + (i % 3)])::text,
      ${now} + 3600 + (i % 82800)
    from generate_series(1, ${count}) as i`);
}

const FLAGS: [string, unknown, Record<string, unknown>][] = [
  ["flag:checkout.new-flow", { enabled: true, rollout: 25 }, { owner: "payments", env: "production" }],
  ["flag:checkout.apple-pay", { enabled: true, rollout: 100 }, { owner: "payments", env: "production" }],
  ["flag:search.semantic", { enabled: false, rollout: 0 }, { owner: "search", env: "staging" }],
  ["flag:search.typo-tolerance", { enabled: true, rollout: 50 }, { owner: "search", env: "production" }],
  ["flag:homepage.hero-v2", { enabled: true, rollout: 10, variants: ["a", "b"] }, { owner: "growth", env: "production" }],
  ["flag:i18n.ünïcödé-keys", { enabled: true }, { owner: "platform", note: "non-ASCII key name" }],
  ["flag:i18n.日本語", { enabled: false }, { owner: "platform", note: "CJK key name" }],
  ["flag:emoji.🚀-launch", { enabled: true, rollout: 5 }, { owner: "growth" }],
  ["flag:ops.maintenance-mode", { enabled: false }, { owner: "sre", env: "production" }],
  ["flag:ops.read-only", { enabled: false }, { owner: "sre", env: "production" }],
];

async function fillFlags(store: LocalKvStore, namespaceId: string): Promise<number> {
  const extra = Array.from({ length: 40 }, (_, i): [string, unknown, Record<string, unknown>] => [
    `flag:experiment.exp-${String(i + 1).padStart(3, "0")}`,
    { enabled: i % 3 !== 0, rollout: (i * 7) % 100 },
    { owner: ["growth", "search", "payments", "platform"][i % 4], env: i % 2 ? "staging" : "production" },
  ]);
  const flags = [...FLAGS, ...extra];
  await store.write(
    namespaceId,
    flags.map(([key, value, metadata]) => ({
      key,
      value: Buffer.from(JSON.stringify(value, null, 2)),
      metadata: JSON.stringify(metadata),
      expiration: null,
    })),
  );
  return flags.length;
}

async function fillAssets(store: LocalKvStore, namespaceId: string): Promise<number> {
  // Small binary values (a PNG signature and some pseudo-random bytes) for the hex view.
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const items = Array.from({ length: 300 }, (_, i) => {
    const body = Buffer.alloc(64 + (i % 256));
    for (let b = 0; b < body.length; b++) body[b] = (i * 31 + b * 17) & 0xff;
    return {
      key: `img/thumb-${String(i).padStart(4, "0")}.png`,
      value: Buffer.concat([png, body]),
      metadata: JSON.stringify({ contentType: "image/png", width: 64, height: 64 }),
      expiration: null,
    };
  });
  items.push({
    key: "docs/large-report.json",
    value: Buffer.from(JSON.stringify({ rows: Array.from({ length: 20_000 }, (_, i) => ({ id: i, label: `row ${i}` })) })),
    metadata: JSON.stringify({ contentType: "application/json" }),
    expiration: null,
  });
  await store.write(namespaceId, items);
  return items.length;
}
