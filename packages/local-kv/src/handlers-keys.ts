// Single-key operations and key listing.
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_LIMIT_MIN, MAX_METADATA_BYTES, MAX_VALUE_BYTES } from "./limits";
import { ErrorCode, KvApiError, badRequest, notFound } from "./errors";
import { invalidRequest, readBody, sendBytes, sendResult } from "./http";
import type { RequestContext } from "./routes";
import { decodeCursor } from "./store";
import { checkKeyName, checkValueSize, parseMetadataText, resolveExpiration } from "./validate";

/** Room for multipart boundaries and part headers around a maximal value and metadata. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024 + MAX_METADATA_BYTES;

export const keyNotFound = () => notFound(ErrorCode.keyNotFound, "get: 'key not found'");

/** What a single write or delete answers when failKeys matches: nothing is applied. */
const injectedKeyFailure = (key: string, operation: "writing" | "deleting") =>
  new KvApiError(500, ErrorCode.internal, `Internal error ${operation} "${key}" (kvdeck fault injection: failKeys).`);

export async function listKeys(ctx: RequestContext) {
  const limit = parseLimit(ctx.query.get("limit"));
  const cursorText = ctx.query.get("cursor") ?? "";
  let after: string | undefined;
  if (cursorText !== "") {
    const decoded = decodeCursor(cursorText);
    if (decoded === null) throw badRequest(ErrorCode.invalidCursor, "Invalid cursor: pass a cursor from result_info unchanged.");
    after = decoded;
  }
  const prefix = ctx.query.get("prefix") ?? "";
  // Postgres text cannot hold U+0000, so no key has it: say so rather than fail the query.
  if (prefix.includes("\u0000")) throw invalidRequest("Invalid prefix: it contains U+0000, which no key name can.");
  const { keys, cursor } = await ctx.store.listKeys(ctx.namespaceId, { prefix, after, limit });
  sendResult(ctx.res, keys, { count: keys.length, cursor });
}

function parseLimit(text: string | null): number {
  if (text === null || text === "") return LIST_LIMIT_DEFAULT;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < LIST_LIMIT_MIN || value > LIST_LIMIT_MAX) {
    throw badRequest(
      ErrorCode.invalidLimit,
      `Invalid key limit: ${text}; it must be a whole number from ${LIST_LIMIT_MIN} to ${LIST_LIMIT_MAX}.`,
    );
  }
  return value;
}

export async function readValue(ctx: RequestContext) {
  const found = await ctx.store.get(ctx.namespaceId, ctx.key);
  if (!found) throw keyNotFound();
  // Cloudflare documents this header for keys that expire (and sends nothing for those that do not).
  sendBytes(ctx.res, found.value, found.expiration === null ? {} : { expiration: String(found.expiration) });
}

export async function readMetadata(ctx: RequestContext) {
  const found = await ctx.store.get(ctx.namespaceId, ctx.key);
  if (!found) throw keyNotFound();
  sendResult(ctx.res, found.metadata ?? null);
}

export async function writeValue(ctx: RequestContext) {
  checkKeyName(ctx.key);
  const expiration = resolveExpiration(emptyAsAbsent(ctx.query.get("expiration")), emptyAsAbsent(ctx.query.get("expiration_ttl")));
  const contentType = String(ctx.req.headers["content-type"] ?? "");
  const multipart = /^multipart\/form-data\b/i.test(contentType);
  const body = await readBody(
    ctx.req,
    multipart ? MAX_VALUE_BYTES + MULTIPART_OVERHEAD_BYTES : MAX_VALUE_BYTES,
    multipart ? "The multipart body" : "The value",
  );
  const { value, metadata } = multipart ? await parseMultipart(body, contentType) : { value: body, metadata: null };
  checkValueSize(value.byteLength);
  if (ctx.faults.keyAlwaysFails(ctx.key)) throw injectedKeyFailure(ctx.key, "writing");
  await ctx.store.write(ctx.namespaceId, [{ key: ctx.key, value, metadata, expiration }]);
  sendResult(ctx.res, null);
}

export async function deleteValue(ctx: RequestContext) {
  if (ctx.faults.keyAlwaysFails(ctx.key)) throw injectedKeyFailure(ctx.key, "deleting");
  // Deleting a key that does not exist succeeds, as in Workers KV.
  await ctx.store.delete(ctx.namespaceId, [ctx.key]);
  sendResult(ctx.res, null);
}

const emptyAsAbsent = (text: string | null) => (text === null || text === "" ? undefined : text);

/** The `value` and optional `metadata` parts of a multipart/form-data write. */
async function parseMultipart(body: Buffer, contentType: string): Promise<{ value: Buffer; metadata: string | null }> {
  let form: FormData;
  try {
    // Node Buffers are never backed by a SharedArrayBuffer here; the cast only satisfies BodyInit.
    const bytes = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw invalidRequest("Could not parse the multipart/form-data body.");
  }
  const value = form.get("value");
  if (value === null) throw invalidRequest('A multipart write needs a "value" part.');
  const metadataPart = form.get("metadata");
  const metadataText = metadataPart === null ? null : await partText(metadataPart);
  return {
    // A plain (non-file) part arrives as text, so only a file part keeps arbitrary bytes.
    value: typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(await value.arrayBuffer()),
    metadata: metadataText === null ? null : parseMetadataText(metadataText),
  };
}

async function partText(part: FormDataEntryValue): Promise<string> {
  return typeof part === "string" ? part : await part.text();
}
