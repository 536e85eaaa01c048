// The optimistic cache's integration tests share this setup: the local KV API, one namespace per
// case seeded before the consistency delay goes on, a real ResourceCache on the same database and
// the real HTTP client, whose every request is recorded. It registers its own beforeAll/afterAll.
import crypto from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { ResourceCache } from "~/cache/resource-cache.server";
import { keyScope } from "~/cache/scopes";
import type { KeyRow } from "~/features/keys/marks.server";
import type { KeyTarget } from "~/features/keys/mutations.server";
import { loadKeyPage } from "~/features/keys/page.server";
import { putKeySchema } from "~/kv/key-forms";
import type { KvUpstream } from "~/kv/upstream.server";
import { type LocalKv, startLocalKv } from "./local-kv";
import { recordingClient, type SentRequest } from "./upstream-client";

export interface KeySeed {
  keys: string[];
  metadata?: (key: string) => unknown;
}

export const names = (prefix: string, count: number, width = 4) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(width, "0")}`);
export const namesOf = (rows: KeyRow[]) => rows.map((r) => r.name);
export const rowOf = (rows: KeyRow[], name: string) => rows.find((r) => r.name === name);
export const putForm = (form: Record<string, unknown>) => putKeySchema.parse({ intent: "put", expiry: "none", ...form });

export function keyCacheHarness(seeds: Record<string, KeySeed>, delayMs: number) {
  let kv: LocalKv;
  let cache: ResourceCache;
  let upstream: KvUpstream;
  let requests: SentRequest[] = [];
  /** Namespace id per case, seeded in beforeAll. */
  const ns: Record<string, string> = {};

  beforeAll(async () => {
    kv = await startLocalKv({ consistencyDelayMs: 0 });
    cache = new ResourceCache(kv.db);
    // These tests count requests: a slow machine must not turn one into a timed-out attempt and its
    // retry (the client's timeouts and retries are tested in upstream-client*.test.ts).
    ({ upstream, requests } = recordingClient({ server: kv, timeoutMs: 600_000 }));
    // Seeded with no delay (the store applies writes at once), then the delay goes on for the tests.
    for (const [name, seed] of Object.entries(seeds)) {
      const created = await kv.store.createNamespace(kv.accountId, `${name}-${crypto.randomUUID()}`);
      ns[name] = created!.id;
      await kv.store.write(
        created!.id,
        seed.keys.map((key) => ({
          key,
          value: Buffer.from(`value of ${key}`),
          metadata: seed.metadata ? JSON.stringify(seed.metadata(key)) : null,
          expiration: null,
        })),
      );
    }
    await kv.store.analyze();
    kv.store.consistencyDelayMs = delayMs;
  });
  afterAll(() => kv.close());

  return {
    get kv() {
      return kv;
    },
    get cache() {
      return cache;
    },
    get upstream() {
      return upstream;
    },
    ns,
    target: (namespaceId: string, ttlMs?: number): KeyTarget => ({ cache, upstream, namespaceId, ttlMs }),
    scopeOf: (namespaceId: string) => keyScope(kv.accountId, namespaceId),
    page: (namespaceId: string, after: string | null = null, cursor = "", prefix = "") =>
      loadKeyPage(cache, upstream, { accountId: kv.accountId, namespaceId, prefix, cursor, after }),
    /** What the upstream itself lists now, no marks merged. */
    listedUpstream: async (namespaceId: string) => (await upstream.listKeys(namespaceId, { limit: 1000 })).keys.map((k) => k.name),
    requestsTo: (namespaceId: string) => requests.filter((r) => r.path.includes(`/namespaces/${namespaceId}/`)),
  };
}
