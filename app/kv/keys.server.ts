// Reading keys for the dashboard: one list page, and one key's detail for the key panel.
import type { KvUpstream } from "./upstream.server";

/** How much of a value the key panel shows before offering a download. */
export const VALUE_PREVIEW_BYTES = 64 * 1024;
const HEX_PREVIEW_BYTES = 4 * 1024;

export type ValuePreview =
  | { kind: "json"; text: string; /** As stored, for editing without reformatting. */ raw: string }
  | { kind: "text"; text: string }
  | { kind: "binary"; hex: string; shownBytes: number };

export interface KeyDetail {
  name: string;
  /** Null when the key is gone (or not yet visible). */
  found: boolean;
  preview: ValuePreview | null;
  truncated: boolean;
  /** Bytes read, or the full size when known. */
  size: number | null;
  metadata: unknown;
  expiration: number | null;
}

export async function readKeyDetail(upstream: KvUpstream, namespaceId: string, name: string): Promise<KeyDetail> {
  // The value read does not carry metadata or expiry; a one-key listing does, at the cost of one
  // request (the exact name sorts first among the names it prefixes).
  const [value, listing] = await Promise.all([
    upstream.getValue(namespaceId, name, { maxBytes: VALUE_PREVIEW_BYTES }),
    upstream.listKeys(namespaceId, { prefix: name, limit: 10 }),
  ]);
  const listed = listing.keys.find((k) => k.name === name);
  if (!value) {
    return {
      name,
      found: false,
      preview: null,
      truncated: false,
      size: null,
      metadata: listed?.metadata ?? null,
      expiration: listed?.expiration ?? null,
    };
  }
  return {
    name,
    found: true,
    preview: previewOf(value.bytes, value.truncated),
    truncated: value.truncated,
    size: value.size ?? (value.truncated ? null : value.bytes.byteLength),
    metadata: listed?.metadata ?? null,
    expiration: listed?.expiration ?? null,
  };
}

/** JSON pretty-printed, text as is, anything that is not UTF-8 as a hex dump. */
export function previewOf(bytes: Uint8Array, truncated: boolean): ValuePreview {
  let text: string | null = null;
  try {
    // A truncated read may cut a multi-byte character: allow for up to 3 bytes of it.
    text = new TextDecoder("utf-8", { fatal: true }).decode(truncated ? trimPartialChar(bytes) : bytes);
  } catch {
    text = null;
  }
  if (text !== null && !hasControlBytes(text)) {
    if (!truncated) {
      try {
        return { kind: "json", text: JSON.stringify(JSON.parse(text), null, 2), raw: text };
      } catch {
        // not JSON: show as text
      }
    }
    return { kind: "text", text };
  }
  const shown = bytes.subarray(0, HEX_PREVIEW_BYTES);
  return { kind: "binary", hex: hexDump(shown), shownBytes: shown.byteLength };
}

function trimPartialChar(bytes: Uint8Array): Uint8Array {
  const end = bytes.byteLength;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back];
    if ((b & 0xc0) === 0xc0) return bytes.subarray(0, end - back); // a lead byte whose tail was cut
    if ((b & 0x80) === 0) break;
  }
  return bytes;
}

function hasControlBytes(text: string): boolean {
  // NUL and other C0 controls other than tab, newline and carriage return mean "binary".
  return /[\u0000-\u0008\u000e-\u001f]/.test(text);
}

export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join("\n");
}

/** A download file name that no browser or shell misreads. */
export function safeFileName(key: string): string {
  const base = key.split("/").filter(Boolean).pop() ?? "value";
  const cleaned = base
    .replace(/[^\p{L}\p{N}._-]+/gu, "_")
    .replace(/^\.+/, "")
    .slice(0, 120);
  return cleaned || "value";
}

export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
