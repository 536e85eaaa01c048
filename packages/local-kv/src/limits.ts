// The Workers KV limits (docs/local-kv-api.md): the upstream contract. The local KV API enforces
// them and the dashboard checks them before it sends anything (app/kv/limits.ts re-exports this
// module), so both read them from here: `@kvdeck/local-kv/limits`.

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
/** The latest expiration kvdeck accepts: the last second of the year 9999 (what a date can name). */
export const MAX_EXPIRATION_EPOCH_SECONDS = 253_402_300_799;
/** The longest expiration TTL kvdeck accepts: 100 years. */
export const MAX_EXPIRATION_TTL_SECONDS = 100 * 365 * 24 * 60 * 60;
export const MAX_NAMESPACES_PER_ACCOUNT = 1000;
export const NAMESPACE_TITLE_MAX_CHARS = 512;
/** Cloudflare's REST budget: requests per window per token. */
export const REST_BUDGET_REQUESTS = 1200;
export const REST_BUDGET_WINDOW_SECONDS = 300;

const encoder = new TextEncoder();
export const byteLength = (s: string) => encoder.encode(s).byteLength;

/** A JS string that cannot be encoded as UTF-8 (it would be stored as U+FFFD: a different key). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Unicode's control characters (general category Cc): C0, DEL and C1. Not printable. */
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F-\u009F]/;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Why a key name cannot name a stored key at all, or null: empty, "." or "..", over 512 bytes, or
 * not Unicode. Reads and deletes accept every other name, control characters included: a Worker's
 * binding can write names the REST API refuses, and a dashboard must still read and remove them.
 */
export function storedKeyNameProblem(name: string): string | null {
  if (name.length === 0) return "A key name cannot be empty.";
  if (name === "." || name === "..") return 'A key name cannot be "." or "..".';
  const bytes = byteLength(name);
  if (bytes > MAX_KEY_BYTES) return `A key name is at most ${MAX_KEY_BYTES} bytes; this one is ${bytes}.`;
  if (LONE_SURROGATE.test(name)) return "A key name must be valid Unicode; this one holds a lone surrogate.";
  return null;
}

/**
 * Why a write under this key name is refused, or null when it is fine. Cloudflare's schema: at most
 * 512 bytes, "all printable, non-whitespace characters are valid"; Workers KV refuses "", "." and
 * "..". Refused here: what storedKeyNameProblem refuses, and control characters (not printable; tab
 * and line breaks among them). Ordinary spaces stay allowed: Workers KV stores them (see
 * docs/local-kv-api.md).
 */
export function keyNameProblem(name: string): string | null {
  const stored = storedKeyNameProblem(name);
  if (stored) return stored;
  const control = CONTROL_CHARACTER.exec(name);
  if (control) {
    return `A key name cannot contain control characters; this one has ${codePoint(control[0])} at position ${control.index}.`;
  }
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
  if (expiration > MAX_EXPIRATION_EPOCH_SECONDS) {
    return `An expiration is at most ${MAX_EXPIRATION_EPOCH_SECONDS} (the end of the year 9999).`;
  }
  return null;
}

export function expirationTtlProblem(ttl: number): string | null {
  if (!Number.isInteger(ttl) || ttl < MIN_EXPIRATION_TTL_SECONDS) {
    return `An expiration TTL is a whole number of at least ${MIN_EXPIRATION_TTL_SECONDS} seconds.`;
  }
  if (ttl > MAX_EXPIRATION_TTL_SECONDS) {
    return `An expiration TTL is at most ${MAX_EXPIRATION_TTL_SECONDS} seconds (100 years).`;
  }
  return null;
}
