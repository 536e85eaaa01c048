// The titles of the namespaces jobs work on, for the pages that list jobs: a job row names its
// namespace by id, a person knows it by title. Looked up through each connection's namespace list,
// kept a short while per connection (the tray polls every few seconds; each list is an upstream
// request under the shared budget). A namespace the kept list was never asked about (just created)
// reads the list again at once; one it was asked about and lacked (gone), or an upstream that does
// not answer, leaves the id in its place and asks again only after a delay.
import type { AppServices } from "~/context.server";
import type { ConnectionRegistry } from "~/kv/connections.server";
import { namespaceKey, type NamespaceTitles } from "./namespace-key";
import type { JobSnapshot } from "./types";

/** How long a connection's namespace list is reused. */
export const TITLES_TTL_MS = 30_000;
/** A list that lacked a namespace it was read for is read again for it after this long. */
const MISSING_RETRY_MS = 5_000;

interface Entry {
  titles: Map<string, string>;
  /** The namespaces the list was read for: one of these it lacks is gone, not new. */
  askedFor: Set<string>;
  /** Until when the list is reused. */
  expiresAt: number;
  /** From when a namespace it lacks (gone, or the upstream did not answer) is asked for again. */
  retryAt: number;
}

const caches = new WeakMap<ConnectionRegistry, Map<number, Entry>>();
const loading = new WeakMap<ConnectionRegistry, Map<number, Promise<Entry | null>>>();

type Services = Pick<AppServices, "connections">;

/** The namespaces a job names: its own, and a copy's or move's target. */
export function namespacesOf(
  job: Pick<JobSnapshot, "kind" | "connectionId" | "namespaceId" | "payload">,
): { connectionId: number; namespaceId: string }[] {
  const refs = [{ connectionId: job.connectionId, namespaceId: job.namespaceId }];
  if (job.kind === "copy" || job.kind === "move") {
    const payload = (job.payload ?? {}) as { targetConnectionId?: number; targetNamespaceId?: string };
    if (typeof payload.targetNamespaceId === "string")
      refs.push({ connectionId: payload.targetConnectionId ?? job.connectionId, namespaceId: payload.targetNamespaceId });
  }
  return refs;
}

/** Titles of every namespace the jobs name, keyed by `namespaceKey`; missing ones are left out. */
export async function namespaceTitles(
  services: Services,
  jobs: Pick<JobSnapshot, "kind" | "connectionId" | "namespaceId" | "payload">[],
  now = Date.now(),
): Promise<NamespaceTitles> {
  const wanted = new Map<number, Set<string>>();
  for (const job of jobs) {
    for (const ref of namespacesOf(job)) {
      const ids = wanted.get(ref.connectionId) ?? new Set<string>();
      ids.add(ref.namespaceId);
      wanted.set(ref.connectionId, ids);
    }
  }
  const titles: NamespaceTitles = {};
  await Promise.all(
    [...wanted].map(async ([connectionId, ids]) => {
      const entry = await titlesOf(services.connections, connectionId, ids, now);
      for (const id of ids) {
        const title = entry?.titles.get(id);
        if (title !== undefined) titles[namespaceKey(connectionId, id)] = title;
      }
    }),
  );
  return titles;
}

async function titlesOf(connections: ConnectionRegistry, connectionId: number, ids: Set<string>, now: number): Promise<Entry | null> {
  let cache = caches.get(connections);
  if (!cache) caches.set(connections, (cache = new Map()));
  const known = cache.get(connectionId);
  if (known && now < known.expiresAt) {
    const lacking = [...ids].filter((id) => !known.titles.has(id));
    if (lacking.length === 0 || (now < known.retryAt && lacking.every((id) => known.askedFor.has(id)))) return known;
  }

  let inFlight = loading.get(connections);
  if (!inFlight) loading.set(connections, (inFlight = new Map()));
  const running = inFlight.get(connectionId);
  if (running) return running;
  const load = (async (): Promise<Entry | null> => {
    try {
      const connection = await connections.get(connectionId);
      if (!connection) return null;
      const upstream = await connections.upstreamFor(connection);
      const list = await upstream.listNamespaces();
      const entry = {
        titles: new Map(list.map((n) => [n.id, n.title])),
        askedFor: ids,
        expiresAt: now + TITLES_TTL_MS,
        retryAt: now + MISSING_RETRY_MS,
      };
      cache.set(connectionId, entry);
      return entry;
    } catch {
      // The upstream did not answer: keep what was known (or nothing: the pages show ids) and
      // ask again after the retry delay, not on every poll.
      const kept = {
        titles: known?.titles ?? new Map<string, string>(),
        askedFor: new Set([...(known?.askedFor ?? []), ...ids]),
        expiresAt: now + MISSING_RETRY_MS,
        retryAt: now + MISSING_RETRY_MS,
      };
      cache.set(connectionId, kept);
      return kept;
    } finally {
      inFlight.delete(connectionId);
    }
  })();
  inFlight.set(connectionId, load);
  return load;
}
