// The Workers KV limits (../shared/reference/kv-api.md). The local KV API enforces them and the
// dashboard checks them before it sends anything, so both read them from here.

export const MAX_KEY_BYTES = 512;
export const MAX_VALUE_BYTES = 25 * 1024 * 1024;
export const MAX_METADATA_BYTES = 1024;
export const LIST_LIMIT_MIN = 10;
export const LIST_LIMIT_MAX = 1000;
export const LIST_LIMIT_DEFAULT = 1000;
/** Items in one bulk write or bulk delete request. */
export const BULK_MAX_KEYS = 10_000;
/** Bytes in one bulk write request body. */
export const BULK_MAX_BODY_BYTES = 100 * 1024 * 1024;
export const BULK_GET_MAX_KEYS = 100;
/** Expirations must lie at least this far in the future. */
export const MIN_EXPIRATION_TTL_SECONDS = 60;
export const MAX_NAMESPACES_PER_ACCOUNT = 1000;
export const NAMESPACE_TITLE_MAX_CHARS = 512;
/** Cloudflare's REST budget: requests per window per token. */
export const REST_BUDGET_REQUESTS = 1200;
export const REST_BUDGET_WINDOW_SECONDS = 300;

const encoder = new TextEncoder();
export const byteLength = (s: string) => encoder.encode(s).byteLength;

/** Why a key name is refused, or null when it is fine. */
/** A JS string that cannot be encoded as UTF-8 (it would be stored as U+FFFD: a different key). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function keyNameProblem(name: string): string | null {
  if (name.length === 0) return "A key name cannot be empty.";
  if (name === "." || name === "..") return 'A key name cannot be "." or "..".';
  if (LONE_SURROGATE.test(name)) return "A key name must be valid Unicode; this one holds a lone surrogate.";
  const bytes = byteLength(name);
  if (bytes > MAX_KEY_BYTES) return `A key name is at most ${MAX_KEY_BYTES} bytes; this one is ${bytes}.`;
  return null;
}

/** Why metadata is refused (not JSON-serializable or too large), or null. */
export function metadataProblem(metadata: unknown): string | null {
  if (metadata === undefined || metadata === null) return null;
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(metadata);
  } catch {
    return "Metadata must be JSON.";
  }
  if (serialized === undefined) return "Metadata must be JSON.";
  const bytes = byteLength(serialized);
  if (bytes > MAX_METADATA_BYTES) {
    return `Metadata is at most ${MAX_METADATA_BYTES} bytes when serialized; this is ${bytes}.`;
  }
  return null;
}

/** Why an absolute expiration (epoch seconds) is refused at `nowSeconds`, or null. */
export function expirationProblem(expiration: number, nowSeconds: number): string | null {
  if (!Number.isInteger(expiration) || expiration <= 0) return "An expiration is a whole number of seconds since the epoch.";
  if (expiration < nowSeconds + MIN_EXPIRATION_TTL_SECONDS) {
    return `An expiration must be at least ${MIN_EXPIRATION_TTL_SECONDS} seconds in the future.`;
  }
  return null;
}

export function expirationTtlProblem(ttl: number): string | null {
  if (!Number.isInteger(ttl) || ttl < MIN_EXPIRATION_TTL_SECONDS) {
    return `An expiration TTL is a whole number of at least ${MIN_EXPIRATION_TTL_SECONDS} seconds.`;
  }
  return null;
}
