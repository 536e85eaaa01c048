// Reading values with their metadata and expiry, as copies, exports and rewrites need them: bulk get
// (100 keys a request, with metadata) returns text, so a value that came back holding U+FFFD (bytes
// that are not UTF-8, or a real U+FFFD) is read once more on its own, as bytes. Inline deletes
// (their recycle copy) and jobs share this; each passes how it sends one request.
import { BULK_GET_MAX_KEYS } from "./limits";
import type { KvUpstream } from "./upstream.server";

/** A value as read: text, or base64 for bytes that are not UTF-8. */
export interface ReadValue {
  value: string;
  base64: boolean;
  metadata?: unknown;
  expiration?: number;
}

/** Sends one request: a job retries with its patience and paces by its share; inline code just calls. */
export type RequestRunner = <T>(run: () => Promise<T>, options?: { adaptive?: boolean }) => Promise<T>;

const direct: RequestRunner = (run) => run();

/** Values with metadata and expiration, 100 keys a request. Keys that do not exist are absent. */
export async function readValues(
  upstream: Pick<KvUpstream, "bulkGet" | "getValue">,
  namespaceId: string,
  keys: string[],
  request: RequestRunner = direct,
): Promise<Map<string, ReadValue>> {
  const out = new Map<string, ReadValue>();
  for (let i = 0; i < keys.length; i += BULK_GET_MAX_KEYS) {
    const chunk = keys.slice(i, i + BULK_GET_MAX_KEYS);
    const entries = await request(() => upstream.bulkGet(namespaceId, chunk, { withMetadata: true, type: "text" }), { adaptive: true });
    for (const key of chunk) {
      const entry = entries[key];
      if (!entry || entry.value === null) continue;
      const read: ReadValue = { value: entry.value, base64: false };
      if (entry.metadata !== undefined && entry.metadata !== null) read.metadata = entry.metadata;
      if (entry.expiration !== undefined && entry.expiration !== null) read.expiration = entry.expiration;
      if (entry.value.includes("\uFFFD")) {
        const raw = await request(() => upstream.getValue(namespaceId, key));
        if (!raw) continue;
        const text = utf8(raw.bytes);
        if (text === null) {
          read.value = Buffer.from(raw.bytes).toString("base64");
          read.base64 = true;
        } else read.value = text;
      }
      out.set(key, read);
    }
  }
  return out;
}

/** The bytes a read value stands for. */
export const valueBytes = (read: Pick<ReadValue, "value" | "base64">): Uint8Array =>
  read.base64 ? Buffer.from(read.value, "base64") : Buffer.from(read.value, "utf8");

/** Bytes as a bulk write sends them: text when they are UTF-8, else base64. */
export function writableValue(bytes: Uint8Array): { value: string; base64: boolean } {
  const text = utf8(bytes);
  return text === null ? { value: Buffer.from(bytes).toString("base64"), base64: true } : { value: text, base64: false };
}

const decoder = new TextDecoder("utf-8", { fatal: true });
function utf8(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
