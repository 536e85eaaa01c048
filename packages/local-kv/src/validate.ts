// Turns the shared limit checks of ./limits into Cloudflare-style errors. Every handler
// validates the whole request with these before it writes anything.
import {
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  byteLength,
  expirationProblem,
  expirationTtlProblem,
  keyNameProblem,
  metadataProblem,
  storedKeyNameProblem,
} from "./limits";
import { ErrorCode, KvApiError, badRequest } from "./errors";
import { invalidRequest, tooLarge } from "./http";
import { nowSeconds } from "./clock";

/**
 * Throws 10030 (too long) or 10042 (empty, `.`, `..`, not Unicode; for writes also control
 * characters) for a bad key name. Reads and deletes check only what no stored key can be.
 */
export function checkKeyName(name: unknown, where = "key name", use: "write" | "read" = "write"): string {
  if (typeof name !== "string") throw badRequest(ErrorCode.illegalKeyName, `The ${where} must be a string.`);
  const problem = use === "write" ? keyNameProblem(name) : storedKeyNameProblem(name);
  if (problem === null) return name;
  const tooLong = byteLength(name) > MAX_KEY_BYTES;
  throw badRequest(tooLong ? ErrorCode.keyTooLong : ErrorCode.illegalKeyName, problem);
}

/** Checks parsed metadata and returns it serialized (what the store keeps), or null. */
export function serializeMetadata(metadata: unknown): string | null {
  if (metadata === undefined || metadata === null) return null;
  const problem = metadataProblem(metadata);
  if (problem !== null) throw badRequest(ErrorCode.invalidMetadata, problem);
  return JSON.stringify(metadata);
}

/** Parses the text of a metadata part (multipart write) and checks it. */
export function parseMetadataText(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(ErrorCode.invalidMetadata, "Metadata must be valid JSON.");
  }
  return serializeMetadata(parsed);
}

export function checkValueSize(bytes: number) {
  if (bytes > MAX_VALUE_BYTES) {
    throw tooLarge(`A value is at most ${MAX_VALUE_BYTES} bytes; this one is ${bytes}.`);
  }
}

/**
 * The absolute expiration (epoch seconds) for `expiration` / `expiration_ttl`, or null for none.
 * Like Cloudflare, the TTL wins when both are given (and the ignored `expiration` is not checked).
 */
export function resolveExpiration(expiration: unknown, ttl: unknown): number | null {
  const now = nowSeconds();
  if (ttl !== undefined && ttl !== null) {
    const value = toNumber(ttl);
    const problem = value === null ? "An expiration TTL must be a number." : expirationTtlProblem(value);
    if (problem !== null) throw badRequest(ErrorCode.invalidExpirationTtl, problem);
    return now + value!;
  }
  if (expiration !== undefined && expiration !== null) {
    const value = toNumber(expiration);
    const problem = value === null ? "An expiration must be a number." : expirationProblem(value, now);
    if (problem !== null) throw badRequest(ErrorCode.invalidExpiration, problem);
    return value!;
  }
  return null;
}

/** Query strings carry numbers as text; JSON bodies as numbers. Anything else is not a number. */
function toNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function requireArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(`${what} must be a JSON array.`);
  return value;
}

export { KvApiError };
