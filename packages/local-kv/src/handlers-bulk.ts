// Bulk write, bulk delete (both the POST /bulk/delete and the deprecated DELETE /bulk), bulk get.
// The whole request is validated before anything is written: one bad item fails the request.
import { BULK_GET_MAX_KEYS, BULK_MAX_BODY_BYTES, BULK_MAX_KEYS } from "./limits";
import { KvApiError } from "./errors";
import { invalidRequest, parseJson, readBody, sendResult, tooLarge } from "./http";
import type { RequestContext } from "./routes";
import type { StoredValue, WriteItem } from "./store";
import { checkKeyName, checkValueSize, isPlainObject, requireArray, resolveExpiration, serializeMetadata } from "./validate";

/** 100 keys of ≤ 512 bytes, JSON-escaped at worst 6× (\uXXXX), plus slack. */
const BULK_GET_BODY_CAP = 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export async function bulkWrite(ctx: RequestContext) {
  const items = await readBulkArray(ctx, "bulk write");
  const parsed = items.map(parseWriteItem);
  const { apply, failed } = ctx.faults.splitBulk(parsed, (i) => i.key);
  await ctx.store.write(ctx.namespaceId, apply);
  sendResult(ctx.res, { successful_key_count: apply.length, unsuccessful_keys: failed });
}

export async function bulkDelete(ctx: RequestContext) {
  const items = await readBulkArray(ctx, "bulk delete");
  const keys = items.map((key, index) => withItemContext(index, () => checkKeyName(key, `key at index ${index}`, "read")));
  const { apply, failed } = ctx.faults.splitBulk(keys, (k) => k);
  await ctx.store.delete(ctx.namespaceId, apply);
  sendResult(ctx.res, { successful_key_count: apply.length, unsuccessful_keys: failed });
}

export async function bulkGet(ctx: RequestContext) {
  const body = parseJson(await readBody(ctx.req, BULK_GET_BODY_CAP, "The bulk get body"), "the bulk get body");
  if (!isPlainObject(body)) throw invalidRequest('The body must be a JSON object with "keys".');
  const keys = requireArray(body.keys, '"keys"');
  if (keys.length > BULK_GET_MAX_KEYS) {
    throw invalidRequest(`A bulk get reads at most ${BULK_GET_MAX_KEYS} keys; this one asks for ${keys.length}.`);
  }
  const names = keys.map((key, index) => withItemContext(index, () => checkKeyName(key, `key at index ${index}`, "read")));
  const type = body.type ?? "text";
  if (type !== "text" && type !== "json") throw invalidRequest('"type" must be "text" or "json".');
  const withMetadata = body.withMetadata ?? false;
  if (typeof withMetadata !== "boolean") throw invalidRequest('"withMetadata" must be a boolean.');

  const found = await ctx.store.getMany(ctx.namespaceId, names);
  // No prototype: a key may well be named "__proto__".
  const values: Record<string, unknown> = Object.create(null);
  for (const name of names) {
    const entry = found.get(name);
    values[name] = entry === undefined ? null : present(name, entry, type, withMetadata);
  }
  sendResult(ctx.res, { values });
}

function present(name: string, entry: StoredValue, type: "text" | "json", withMetadata: boolean): unknown {
  const text = entry.value.toString("utf8");
  let value: unknown = text;
  if (type === "json") {
    try {
      value = JSON.parse(text);
    } catch {
      throw invalidRequest(`The value of "${name}" is not valid JSON; read it with type "text".`);
    }
  }
  if (!withMetadata) return value;
  const out: { value: unknown; metadata: unknown; expiration?: number } = { value, metadata: entry.metadata ?? null };
  if (entry.expiration !== null) out.expiration = entry.expiration;
  return out;
}

async function readBulkArray(ctx: RequestContext, what: string): Promise<unknown[]> {
  const body = parseJson(await readBody(ctx.req, BULK_MAX_BODY_BYTES, `The ${what} body`), `the ${what} body`);
  const items = requireArray(body, `The ${what} body`);
  if (items.length > BULK_MAX_KEYS) {
    throw tooLarge(`A ${what} takes at most ${BULK_MAX_KEYS} items; this one has ${items.length}.`);
  }
  return items;
}

function parseWriteItem(raw: unknown, index: number): WriteItem {
  return withItemContext(index, () => {
    if (!isPlainObject(raw)) throw invalidRequest("must be an object with key and value");
    const key = checkKeyName(raw.key, "key");
    if (typeof raw.value !== "string") throw invalidRequest(`"${key}": value must be a string`);
    if (raw.base64 !== undefined && typeof raw.base64 !== "boolean") throw invalidRequest(`"${key}": base64 must be a boolean`);
    const value = raw.base64 ? decodeBase64(raw.value, key) : Buffer.from(raw.value, "utf8");
    checkValueSize(value.byteLength);
    return {
      key,
      value,
      metadata: serializeMetadata(raw.metadata),
      expiration: resolveExpiration(raw.expiration, raw.expiration_ttl),
    };
  });
}

/** Node's decoder skips bad characters silently; a corrupted value must fail instead. */
function decodeBase64(text: string, key: string): Buffer {
  if (!BASE64.test(text) || text.length % 4 === 1) throw invalidRequest(`"${key}": value is not valid base64`);
  return Buffer.from(text, "base64");
}

/** Prefixes an error with the item's position, so the client can tell which of 10,000 was bad. */
function withItemContext<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof KvApiError) {
      throw new KvApiError(error.status, error.code, `Item ${index}: ${error.message}`, error.headers);
    }
    throw error;
  }
}
