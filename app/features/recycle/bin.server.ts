// The recycle bin as the pages see it: what a delete's confirmation offers (a copy, its cost at
// the current budget), a namespace's deletions, one deletion's keys, and emptying.
import type { AppServices } from "~/context.server";
import type { Connection, Deletion } from "~/db/schema";
import { exportLine } from "~/jobs/files.server";
import { writableValue } from "~/kv/read-values.server";
import type { RecycleSettings } from "~/recycle/settings";
import type { CopiedKey, DeletionSummary, RecycleStore } from "~/recycle/store.server";

/** What a delete's confirmation says about the copy: kept by default or not, and what the budget allows per second. */
export interface RecycleOffer {
  copyByDefault: boolean;
  /** Requests per second the connection's budget allows; null when there is no budget. */
  requestsPerSecond: number | null;
}

export async function recycleOffer(services: Pick<AppServices, "recycle" | "jobs">, connection: Connection): Promise<RecycleOffer> {
  const settings = await services.recycle.settings(connection.id);
  const budget = services.jobs.deps.budgets?.specFor(connection.kind) ?? null;
  return {
    copyByDefault: settings.copyByDefault,
    requestsPerSecond: budget ? budget.requests / (budget.windowMs / 1000) : null,
  };
}

/** A deletion's copies as NDJSON export lines (kvdeck's import reads them back), in key order. */
export function deletionNdjson(store: RecycleStore, deletionId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: string | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const copies = await store.copies(deletionId, { after, limit: NDJSON_PAGE });
      if (copies.length === 0) return controller.close();
      after = copies[copies.length - 1].key;
      const lines = copies.map((c) => exportLine(c.key, { ...writableValue(c.value), metadata: c.metadata, expiration: c.expiration }, {}));
      controller.enqueue(encoder.encode(lines.map((line) => `${line}\n`).join("")));
    },
  });
}

const NDJSON_PAGE = 200;
export const BIN_KEYS_PAGE = 100;

export interface BinData {
  deletions: DeletionSummary[];
  /** The deletion opened (`?deletion=`), with a page of the keys it holds. */
  opened: { deletion: Deletion; keys: CopiedKey[]; after: string | null; more: boolean } | null;
  heldBytes: number;
  settings: RecycleSettings;
}

export async function loadBin(store: RecycleStore, connectionId: number, namespaceId: string, search: URLSearchParams): Promise<BinData> {
  const [deletions, heldBytes, settings] = await Promise.all([
    store.list(connectionId, namespaceId),
    store.heldBytes(connectionId),
    store.settings(connectionId),
  ]);
  const openedId = search.get("deletion");
  const deletion = openedId ? await store.deletion(openedId) : null;
  let opened: BinData["opened"] = null;
  if (deletion && deletion.connectionId === connectionId && deletion.namespaceId === namespaceId) {
    const after = search.get("after");
    const page = await store.keys(deletion.id, { after, limit: BIN_KEYS_PAGE + 1 });
    opened = { deletion, keys: page.slice(0, BIN_KEYS_PAGE), after, more: page.length > BIN_KEYS_PAGE };
  }
  return { deletions, opened, heldBytes, settings };
}
