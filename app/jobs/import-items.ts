// One item of an import file (NDJSON line or wrangler bulk array element), checked against the
// Workers KV limits before anything is written. Shared by the import job and by the pages, which
// can show the same messages.
import { MAX_VALUE_BYTES, byteLength, expirationProblem, expirationTtlProblem, keyNameProblem, metadataProblem } from "~/kv/limits";

export interface ImportItem {
  key: string;
  value: string;
  base64?: boolean;
  metadata?: unknown;
  expiration?: number;
  expirationTtl?: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The item, or the reason it is refused (without the line number, which the caller adds). */
export function checkImportItem(raw: unknown, nowSeconds: number): { item: ImportItem } | { error: string; key?: string } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { error: "each item must be an object with key and value" };
  const r = raw as Record<string, unknown>;
  if (typeof r.key !== "string") return { error: '"key" must be a string' };
  const key = r.key;
  const keyProblem = keyNameProblem(key);
  if (keyProblem) return { key, error: keyProblem };
  if (typeof r.value !== "string") return { key, error: '"value" must be a string' };
  if (r.base64 !== undefined && typeof r.base64 !== "boolean") return { key, error: '"base64" must be true or false' };
  let size: number;
  if (r.base64) {
    if (!BASE64.test(r.value) || r.value.length % 4 === 1) return { key, error: '"value" is not valid base64' };
    size = Buffer.from(r.value, "base64").byteLength;
  } else size = byteLength(r.value);
  if (size > MAX_VALUE_BYTES) return { key, error: `the value is ${size} bytes; the limit is ${MAX_VALUE_BYTES}` };
  if (r.metadata !== undefined && r.metadata !== null) {
    const problem = metadataProblem(r.metadata);
    if (problem) return { key, error: problem };
  }
  const item: ImportItem = { key, value: r.value };
  if (r.base64) item.base64 = true;
  if (r.metadata !== undefined && r.metadata !== null) item.metadata = r.metadata;
  if (r.expiration_ttl !== undefined && r.expiration_ttl !== null) {
    if (typeof r.expiration_ttl !== "number") return { key, error: '"expiration_ttl" must be a number of seconds' };
    const problem = expirationTtlProblem(r.expiration_ttl);
    if (problem) return { key, error: problem };
    item.expirationTtl = r.expiration_ttl;
  } else if (r.expiration !== undefined && r.expiration !== null) {
    if (typeof r.expiration !== "number") return { key, error: '"expiration" must be a number (seconds since the epoch)' };
    const problem = expirationProblem(r.expiration, nowSeconds);
    if (problem) return { key, error: problem };
    item.expiration = r.expiration;
  }
  return { item };
}
