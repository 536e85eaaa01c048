// The copy before a delete: read the keys' values (bulk get, 100 a request, bytes one by one where
// text cannot hold them) and write them into the deletion's record, a thousand keys at a time so a
// batch of any size takes constant memory. Callers delete only after this returns: a failure here
// (the upstream, the database, the cap) leaves every key where it was.
import { type RequestRunner, readValues, valueBytes } from "~/kv/read-values.server";
import type { KvUpstream } from "~/kv/upstream.server";
import type { KeyCopy, RecycleStore } from "./store.server";

/** Keys read and written per round of a copy. */
const COPY_ROUND = 1_000;

export async function copyBeforeDelete(
  store: RecycleStore,
  upstream: Pick<KvUpstream, "bulkGet" | "getValue">,
  namespaceId: string,
  deletionId: string,
  keys: string[],
  request?: RequestRunner,
): Promise<{ copied: number; bytes: number }> {
  let copied = 0;
  let bytes = 0;
  for (let i = 0; i < keys.length; i += COPY_ROUND) {
    const values = await readValues(upstream, namespaceId, keys.slice(i, i + COPY_ROUND), request);
    const copies: KeyCopy[] = [...values].map(([key, read]) => ({
      key,
      value: valueBytes(read),
      ...(read.metadata !== undefined ? { metadata: read.metadata } : {}),
      ...(read.expiration !== undefined ? { expiration: read.expiration } : {}),
    }));
    const written = await store.addCopies(deletionId, copies);
    copied += written.added;
    bytes += written.bytes;
  }
  return { copied, bytes };
}

/** Requests a copy of `keys` text keys takes: one bulk get per 100 (values that are not text add one each). */
export const copyRequests = (keys: number) => Math.ceil(keys / 100);
