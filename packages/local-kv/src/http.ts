// Request bodies and response envelopes of the local KV API, written by hand rather than with
// body-parser / res.json: a body over its cap must end as a clean 413 envelope (not a stream error
// or an out-of-memory), and responses must not depend on the host app's Express settings (ETag,
// JSON spacing) so they look the same wherever the router is mounted.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, KvApiError } from "./errors";

export interface Envelope {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: { code: number; message: string }[];
  result: unknown;
  result_info?: Record<string, unknown>;
}

function writeJson(res: ServerResponse, status: number, body: Envelope, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(text);
}

export function sendResult(
  res: ServerResponse,
  result: unknown,
  resultInfo?: Record<string, unknown>,
  messages: Envelope["messages"] = [],
) {
  const body: Envelope = { success: true, errors: [], messages, result };
  if (resultInfo) body.result_info = resultInfo;
  writeJson(res, 200, body);
}

export function sendError(res: ServerResponse, error: KvApiError) {
  writeJson(
    res,
    error.status,
    { success: false, errors: [{ code: error.code, message: error.message }], messages: [], result: null },
    error.headers,
  );
}

export function sendBytes(res: ServerResponse, bytes: Buffer, headers: Record<string, string> = {}) {
  res.statusCode = 200;
  res.setHeader("content-type", "application/octet-stream");
  res.setHeader("content-length", bytes.byteLength);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(bytes);
}

export const tooLarge = (message: string) => new KvApiError(413, ErrorCode.payloadTooLarge, message);
export const invalidRequest = (message: string) => new KvApiError(400, ErrorCode.invalidRequest, message);

/**
 * Reads the whole body, at most `cap` bytes. Past the cap it keeps reading and discarding, then
 * throws a 413: answering before the client has finished sending makes many clients (undici among
 * them) report a broken connection instead of the response.
 */
export async function readBody(req: IncomingMessage, cap: number, what: string): Promise<Buffer> {
  const already = (req as IncomingMessage & { body?: unknown }).body;
  if (req.readableEnded) {
    // A body parser mounted before this router consumed the stream; raw bytes are all we can use.
    if (Buffer.isBuffer(already)) return checkSize(already, cap, what);
    throw new KvApiError(
      500,
      ErrorCode.internal,
      "The request body was consumed before the local KV API saw it (mount the router before any body parser).",
    );
  }
  const declared = Number(req.headers["content-length"]);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = Number.isFinite(declared) && declared > cap;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (over) continue;
    size += chunk.byteLength;
    if (size > cap) {
      over = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(chunk);
  }
  if (over) throw tooLarge(`${what} is larger than the limit of ${cap} bytes.`);
  return Buffer.concat(chunks, size);
}

function checkSize(body: Buffer, cap: number, what: string): Buffer {
  if (body.byteLength > cap) throw tooLarge(`${what} is larger than the limit of ${cap} bytes.`);
  return body;
}

/** Parses a JSON body; a syntax error is the client's fault, so it answers 400, not 500. */
export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw invalidRequest(`Could not parse ${what}: the body is not valid JSON.`);
  }
}

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s) is shorter than the
 * pauses between a job's requests, so a client would often reuse a socket the server is closing
 * and see a reset it has to retry; like Cloudflare's edge, keep idle connections a minute.
 */
export const KEEP_ALIVE_MS = 65_000;

/** Applies KEEP_ALIVE_MS to a listening server (headers must be allowed longer than that). */
export function keepConnectionsAlive(server: { keepAliveTimeout: number; headersTimeout: number }) {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
}
