// Export and import files under the data dir: <dataDir>/exports/<job id>.<ext> and
// <dataDir>/imports/<upload id>.upload. Two formats, both streamed in constant memory:
//   ndjson  one JSON object a line: {"key","value","base64"?,"metadata"?,"expiration"?}
//   json    wrangler's bulk file: a JSON array of the same objects (`wrangler kv bulk put`)
// Readers report each item's byte offset (where a resumed import continues) and line number
// (what a validation error points at).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ReadValue } from "~/kv/read-values.server";

export type FileFormat = "ndjson" | "json";

const EXTENSIONS: Record<FileFormat, string> = { ndjson: "ndjson", json: "json" };
const READ_CHUNK = 1024 * 1024;

export const exportsDir = (dataDir: string) => path.join(dataDir, "exports");
export const importsDir = (dataDir: string) => path.join(dataDir, "imports");
export const exportPath = (dataDir: string, jobId: string, format: FileFormat) =>
  path.join(exportsDir(dataDir), `${jobId}.${EXTENSIONS[format]}`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function uploadPath(dataDir: string, uploadId: string): string {
  if (!UUID.test(uploadId)) throw new Error("kvdeck: not an upload id");
  return path.join(importsDir(dataDir), `${uploadId}.upload`);
}

/** Stores an uploaded import file as it streams in; refuses (and removes) one over `maxBytes`. */
export async function saveUpload(
  dataDir: string,
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ uploadId: string; bytes: number }> {
  fs.mkdirSync(importsDir(dataDir), { recursive: true });
  const uploadId = crypto.randomUUID();
  const file = uploadPath(dataDir, uploadId);
  const handle = await fs.promises.open(file, "w");
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) throw new UploadTooLarge(maxBytes);
      await handle.write(chunk);
    }
  } catch (error) {
    await handle.close();
    await fs.promises.rm(file, { force: true });
    throw error;
  }
  await handle.close();
  return { uploadId, bytes };
}

export class UploadTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
  }
}

/** One exported key as a line (or array element) of an export file. */
export function exportLine(key: string, read: ReadValue | null, listed: { metadata?: unknown; expiration?: number }): string {
  const out: Record<string, unknown> = { key };
  if (read) {
    out.value = read.value;
    if (read.base64) out.base64 = true;
  }
  const metadata = read?.metadata ?? listed.metadata;
  const expiration = read?.expiration ?? listed.expiration;
  if (metadata !== undefined && metadata !== null) out.metadata = metadata;
  if (expiration !== undefined && expiration !== null) out.expiration = expiration;
  return JSON.stringify(out);
}

/** Where an export file stands: bytes written and items in it. Saved with every checkpoint. */
export interface ExportFileState {
  bytes: number;
  items: number;
}

/**
 * Appends to an export file from a known length: on resume, whatever was written after the last
 * checkpoint is cut off first, so the file holds each batch exactly once.
 */
export class ExportWriter {
  private constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly format: FileFormat,
  ) {}

  static async open(
    file: string,
    format: FileFormat,
    state: ExportFileState | null,
  ): Promise<{ writer: ExportWriter; state: ExportFileState }> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const exists = fs.existsSync(file);
    const handle = await fs.promises.open(file, exists && state ? "r+" : "w");
    const writer = new ExportWriter(handle, format);
    if (state) {
      await handle.truncate(state.bytes);
      return { writer, state };
    }
    const start = format === "json" ? "[" : "";
    if (start) await handle.write(start, 0);
    return { writer, state: { bytes: Buffer.byteLength(start), items: 0 } };
  }

  /** Appends `lines` at `state.bytes`; returns the state after them. */
  async append(lines: string[], state: ExportFileState): Promise<ExportFileState> {
    if (lines.length === 0) return state;
    let text = "";
    let items = state.items;
    for (const line of lines) {
      text += this.format === "json" ? `${items > 0 ? "," : ""}\n${line}` : `${line}\n`;
      items++;
    }
    const buffer = Buffer.from(text);
    await this.handle.write(buffer, 0, buffer.byteLength, state.bytes);
    return { bytes: state.bytes + buffer.byteLength, items };
  }

  /** Ends the file (the closing bracket of a JSON array); returns its final length. */
  async finish(state: ExportFileState): Promise<number> {
    await this.handle.truncate(state.bytes);
    let bytes = state.bytes;
    if (this.format === "json") {
      const end = Buffer.from(state.items > 0 ? "\n]\n" : "]\n");
      await this.handle.write(end, 0, end.byteLength, state.bytes);
      bytes += end.byteLength;
    }
    await this.handle.sync();
    return bytes;
  }

  close() {
    return this.handle.close();
  }
}

// ---- reading import files ----

export interface FileItem {
  /** Byte offset of the item's first byte. */
  offset: number;
  /** 1-based line the item starts on. */
  line: number;
  value: unknown;
  /** Set instead of `value` when the item is not JSON. */
  syntaxError?: string;
}

/** Where reading continues: `offset:line`, at the start of an item. */
export const fileCursor = (offset: number, line: number) => `${offset}:${line}`;
export function parseFileCursor(cursor: string | null): { offset: number; line: number } {
  if (!cursor) return { offset: 0, line: 1 };
  const [offset, line] = cursor.split(":").map(Number);
  return { offset, line };
}

/** A file-level problem (not an item's): the whole file is refused. */
export class FileFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Items of an import file from `start` on, in file order. */
export function readFileItems(file: string, format: FileFormat, start: { offset: number; line: number }): AsyncGenerator<FileItem> {
  return format === "ndjson" ? readNdjson(file, start) : readJsonArray(file, start);
}

async function* readNdjson(file: string, start: { offset: number; line: number }): AsyncGenerator<FileItem> {
  let offset = start.offset;
  let line = start.line;
  let pending: Buffer[] = [];
  let pendingStart = offset;
  for await (const chunk of fs.createReadStream(file, { start: start.offset, highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      pending.push(chunk.subarray(from, nl));
      const text = Buffer.concat(pending).toString("utf8");
      const item = parseLine(text, pendingStart, line);
      if (item) yield item;
      offset += nl - from + 1;
      line++;
      from = nl + 1;
      pending = [];
      pendingStart = offset;
    }
    if (from < chunk.length) {
      pending.push(chunk.subarray(from));
      offset += chunk.length - from;
    }
  }
  if (pending.length) {
    const item = parseLine(Buffer.concat(pending).toString("utf8"), pendingStart, line);
    if (item) yield item;
  }
}

function parseLine(text: string, offset: number, line: number): FileItem | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  try {
    return { offset, line, value: JSON.parse(trimmed) };
  } catch (error) {
    return { offset, line, value: undefined, syntaxError: `not valid JSON (${(error as Error).message})` };
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The elements of a JSON array, one at a time: a small scanner finds where each element ends
 * (outside strings, at nesting depth zero) so only one element is ever held in memory.
 */
async function* readJsonArray(file: string, start: { offset: number; line: number }): AsyncGenerator<FileItem> {
  // Before the array: "open"; between elements: "between"; inside one: "element"; after: "closed".
  let mode: "open" | "between" | "element" | "closed" = start.offset === 0 ? "open" : "between";
  let offset = start.offset;
  let line = start.line;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let elementStart = 0;
  let elementLine = 0;
  let expectElement = false;
  let sawElement = start.offset !== 0;

  const finishElement = (): FileItem => {
    const text = Buffer.concat(parts).toString("utf8").trim();
    parts = [];
    try {
      return { offset: elementStart, line: elementLine, value: JSON.parse(text) };
    } catch (error) {
      return { offset: elementStart, line: elementLine, value: undefined, syntaxError: `not valid JSON (${(error as Error).message})` };
    }
  };

  for await (const chunk of fs.createReadStream(file, { start: start.offset, highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    let segmentStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      const here = offset + i;
      if (mode === "element") {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === 0x5c) escaped = true;
          else if (byte === 0x22) inString = false;
        } else if (byte === 0x22) inString = true;
        else if (byte === 0x7b || byte === 0x5b) depth++;
        else if ((byte === 0x7d || byte === 0x5d) && depth > 0) depth--;
        else if (depth === 0 && (byte === 0x2c || byte === 0x5d)) {
          parts.push(chunk.subarray(segmentStart, i));
          yield finishElement();
          mode = byte === 0x2c ? "between" : "closed";
          expectElement = byte === 0x2c;
        }
        if (byte === 0x0a) line++;
        continue;
      }
      if (byte === 0x0a) line++;
      if (WHITESPACE.has(byte)) continue;
      if (mode === "open") {
        if (byte !== 0x5b) throw new FileFormatError(line, "a wrangler bulk file is a JSON array: it must start with [");
        mode = "between";
        continue;
      }
      if (mode === "closed") throw new FileFormatError(line, "unexpected text after the end of the array");
      // mode === "between"
      if (byte === 0x5d) {
        if (expectElement) throw new FileFormatError(line, "a comma must be followed by another element");
        mode = "closed";
        continue;
      }
      if (byte === 0x2c) {
        if (!sawElement || expectElement) throw new FileFormatError(line, "unexpected comma");
        expectElement = true;
        continue;
      }
      mode = "element";
      sawElement = true;
      expectElement = false;
      elementStart = here;
      elementLine = line;
      segmentStart = i;
      depth = 0;
      inString = false;
      escaped = false;
      i--; // read the element's first byte in element mode
    }
    if (mode === "element") parts.push(chunk.subarray(segmentStart));
    offset += chunk.length;
  }
  const last = mode as typeof mode | "closed";
  if (last === "element") throw new FileFormatError(elementLine, "the file ends inside an element (is it truncated?)");
  if (last !== "closed")
    throw new FileFormatError(line, start.offset === 0 && last === "open" ? "the file is empty" : "the array is not closed with ]");
}
