// The one interface the dashboard, the cache and the jobs use to talk to Workers KV,
// whether the upstream is Cloudflare's API or kvdeck's local KV API.

export interface Namespace {
  id: string;
  title: string;
}

export interface KeyInfo {
  name: string;
  /** Epoch seconds. */
  expiration?: number;
  metadata?: unknown;
}

export interface KeyPage {
  keys: KeyInfo[];
  /** Empty when the listing is complete. A page may be empty and still carry a cursor. */
  cursor: string;
}

export interface ValueRead {
  bytes: Uint8Array;
  /** True when only the first `maxBytes` were read. */
  truncated: boolean;
  /** The full size when the upstream said (Content-Length). */
  size: number | null;
}

export interface WriteOptions {
  metadata?: unknown;
  /** Absolute, epoch seconds. */
  expiration?: number;
  expirationTtl?: number;
}

export interface BulkWriteItem extends WriteOptions {
  key: string;
  /** Text, or base64 when `base64` is set. */
  value: string;
  base64?: boolean;
}

export interface BulkResult {
  successfulKeyCount: number;
  /** Keys the upstream did not apply; they must be retried. */
  unsuccessfulKeys: string[];
}

export interface BulkGetEntry {
  value: string | null;
  metadata?: unknown;
  expiration?: number;
}

export interface KvUpstream {
  readonly accountId: string;
  listNamespaces(): Promise<Namespace[]>;
  getNamespace(namespaceId: string): Promise<Namespace>;
  createNamespace(title: string): Promise<Namespace>;
  renameNamespace(namespaceId: string, title: string): Promise<void>;
  deleteNamespace(namespaceId: string): Promise<void>;
  listKeys(namespaceId: string, options: { prefix?: string; cursor?: string; limit?: number; signal?: AbortSignal }): Promise<KeyPage>;
  /** Null when the key does not exist. */
  getValue(namespaceId: string, key: string, options?: { maxBytes?: number }): Promise<ValueRead | null>;
  /** The full value as a stream, for downloads; null when the key does not exist. */
  streamValue(namespaceId: string, key: string): Promise<{ body: ReadableStream<Uint8Array>; size: number | null } | null>;
  getMetadata(namespaceId: string, key: string): Promise<unknown>;
  putValue(namespaceId: string, key: string, value: Uint8Array | string, options?: WriteOptions): Promise<void>;
  deleteKey(namespaceId: string, key: string): Promise<void>;
  bulkWrite(namespaceId: string, items: BulkWriteItem[]): Promise<BulkResult>;
  bulkDelete(namespaceId: string, keys: string[]): Promise<BulkResult>;
  bulkGet(
    namespaceId: string,
    keys: string[],
    options?: { withMetadata?: boolean; type?: "text" | "json" },
  ): Promise<Record<string, BulkGetEntry>>;
}
