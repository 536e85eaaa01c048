// The copy before a delete: read the keys' values (bulk get, 100 a request, bytes one by one where
// text cannot hold them) and write them into the deletion's record, a thousand keys at a time so a
// batch of any size takes constant memory. Callers delete only after this returns: a failure here
// (the upstream, the database, the cap) leaves every key where it was.
import { type ReadValue, type RequestRunner, readValues, valueBytes } from "~/kv/read-values.server";
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
  const added: string[] = [];
  let bytes = 0;
  try {
    for (let i = 0; i < keys.length; i += COPY_ROUND) {
      const values = await readValues(upstream, namespaceId, keys.slice(i, i + COPY_ROUND), request);
      const written = await store.addCopies(
        deletionId,
        [...values].map(([key, read]) => copyOf(key, read)),
      );
      added.push(...written.added);
      bytes += written.bytes;
    }
  } catch (error) {
    // None of these keys will be deleted now: the copies this call wrote go (a replayed batch's
    // earlier copies stay: some of its keys may be gone already).
    await store.discard(deletionId, added);
    throw error;
  }
  return { copied: added.length, bytes };
}

/** The copy of a key as it was read. */
export function copyOf(key: string, read: ReadValue): KeyCopy {
  return {
    key,
    value: valueBytes(read),
    ...(read.metadata !== undefined ? { metadata: read.metadata } : {}),
    ...(read.expiration !== undefined ? { expiration: read.expiration } : {}),
  };
}

/** Requests a copy of `keys` text keys takes: one bulk get per 100 (values that are not text add one each). */
export const copyRequests = (keys: number) => Math.ceil(keys / 100);
