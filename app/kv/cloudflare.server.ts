// The upstream over HTTP, with the official `cloudflare` SDK as transport. It serves Cloudflare's
// API and kvdeck's local KV API alike (same contract). The SDK's own retries are off: it would
// honour any Retry-After without a cap and retry non-idempotent writes; kvdeck retries here,
// briefly, and only what is safe to repeat (app/kv/retry.ts).
import Cloudflare, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "cloudflare";
import { BULK_GET_MAX_KEYS, BULK_MAX_KEYS } from "./limits";
import type { UpstreamBudget } from "./budget.server";
import { redact } from "~/utils/redact.server";
import { UpstreamError, type UpstreamErrorKind } from "./errors";
import { fullJitter, sleep, withRetries } from "./retry";
import type { BulkGetEntry, BulkResult, BulkWriteItem, KeyPage, KvUpstream, Namespace, ValueRead, WriteOptions } from "./upstream.server";

export interface HttpUpstreamOptions {
  accountId: string;
  apiToken: string;
  /** e.g. http://127.0.0.1:3000/client/v4; omitted means Cloudflare's. */
  baseUrl?: string;
  /** Per request. */
  timeoutMs?: number;
  /** Retries of a safe request after a network failure, 5xx or short 429. */
  retries?: number;
  fetch?: typeof fetch;
  /** The token's request budget: a slot is taken before each HTTP attempt (app/kv/budget.server.ts). */
  budget?: UpstreamBudget;
}

/** The longest Retry-After an interactive request waits out before reporting rate_limited. */
const MAX_INLINE_RETRY_AFTER_MS = 2_000;
const BACKOFF_BASE_MS = 200;
const NAMESPACE_PAGE_SIZE = 100;

export function createHttpUpstream(options: HttpUpstreamOptions): KvUpstream {
  const client = new Cloudflare({
    apiToken: options.apiToken,
    baseURL: options.baseUrl,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 30_000,
    fetch: options.fetch,
  });
  const account_id = options.accountId;
  const retries = options.retries ?? 2;
  /** While the upstream said 429, later calls fail fast instead of spending more of the budget. */
  let blockedUntil = 0;

  async function call<T>(run: () => Promise<T>, { safe, signal }: { safe: boolean; signal?: AbortSignal }): Promise<T> {
    const attempt = async () => {
      const wait = blockedUntil - Date.now();
      if (wait > MAX_INLINE_RETRY_AFTER_MS) {
        // Thrown before sending; its Retry-After is beyond what the policy waits out, so it is not retried.
        throw new UpstreamError("rate_limited", "The upstream's request budget is spent.", {
          status: 429,
          retryAfterSeconds: Math.ceil(wait / 1000),
        });
      }
      // A short Retry-After another call was given: waited out, unless the caller gives up meanwhile.
      if (wait > 0) await sleep(wait, signal);
      await options.budget?.acquire();
      try {
        return await run();
      } catch (raw) {
        const error = toUpstreamError(raw, [options.apiToken]);
        if (error.kind === "rate_limited") {
          const seconds = error.details.retryAfterSeconds ?? 1;
          blockedUntil = Math.max(blockedUntil, Date.now() + seconds * 1000);
          options.budget?.rateLimited?.(seconds);
        }
        throw error;
      }
    };
    try {
      return await withRetries(attempt, {
        attempts: safe ? retries + 1 : 1,
        maxRetryAfterMs: MAX_INLINE_RETRY_AFTER_MS,
        backoffMs: (failure) => fullJitter(failure, Math.random, BACKOFF_BASE_MS),
        signal,
      });
    } catch (error) {
      // A request its caller gave up on (navigated away) is not retried.
      if (signal?.aborted) throw new UpstreamError("timeout", "The request was cancelled.");
      throw error;
    }
  }

  const upstream: KvUpstream = {
    accountId: account_id,

    async listNamespaces() {
      const all: Namespace[] = [];
      for (let page = 1; ; page++) {
        const result = await call(
          () => client.kv.namespaces.list({ account_id, page, per_page: NAMESPACE_PAGE_SIZE, order: "title", direction: "asc" }),
          { safe: true },
        );
        all.push(...result.result.map((n) => ({ id: n.id, title: n.title })));
        const total = (result.result_info as { total_count?: number } | undefined)?.total_count ?? 0;
        if (result.result.length < NAMESPACE_PAGE_SIZE || all.length >= total) return all;
      }
    },

    async getNamespace(namespaceId) {
      const n = await call(() => client.kv.namespaces.get(namespaceId, { account_id }), { safe: true });
      return { id: n.id, title: n.title };
    },

    async createNamespace(title) {
      const n = await call(() => client.kv.namespaces.create({ account_id, title }), { safe: false });
      return { id: n.id, title: n.title };
    },

    async renameNamespace(namespaceId, title) {
      await call(() => client.kv.namespaces.update(namespaceId, { account_id, title }), { safe: true });
    },

    async deleteNamespace(namespaceId) {
      await call(() => client.kv.namespaces.delete(namespaceId, { account_id }), { safe: true });
    },

    async listKeys(namespaceId, { prefix, cursor, limit, signal }): Promise<KeyPage> {
      const page = await call(
        () =>
          client.kv.namespaces.keys.list(
            namespaceId,
            { account_id, prefix: prefix || undefined, cursor: cursor || undefined, limit },
            { signal },
          ),
        { safe: true, signal },
      );
      return {
        keys: page.result.map((k) => {
          const key: KeyPage["keys"][number] = { name: k.name };
          if (k.expiration !== undefined && k.expiration !== null) key.expiration = k.expiration;
          if (k.metadata !== undefined && k.metadata !== null) key.metadata = k.metadata;
          return key;
        }),
        cursor: page.result_info?.cursor ?? "",
      };
    },

    async getValue(namespaceId, key, { maxBytes = Infinity } = {}): Promise<ValueRead | null> {
      const response = await readOrNull(() =>
        call(() => client.kv.namespaces.values.get(key, { account_id, namespace_id: namespaceId }), { safe: true }),
      );
      if (!response) return null;
      const size = contentLength(response);
      return { ...(await readAtMost(response, maxBytes)), size };
    },

    async streamValue(namespaceId, key) {
      const response = await readOrNull(() =>
        call(() => client.kv.namespaces.values.get(key, { account_id, namespace_id: namespaceId }), { safe: true }),
      );
      if (!response?.body) return null;
      return { body: response.body, size: contentLength(response) };
    },

    async getMetadata(namespaceId, key) {
      return call(() => client.kv.namespaces.metadata.get(key, { account_id, namespace_id: namespaceId }), { safe: true });
    },

    async putValue(namespaceId, key, value, writeOptions: WriteOptions = {}) {
      const body = typeof value === "string" ? value : new File([value as BlobPart], "value");
      await call(
        () =>
          client.kv.namespaces.values.update(key, {
            account_id,
            namespace_id: namespaceId,
            value: body,
            metadata: writeOptions.metadata === undefined ? undefined : JSON.stringify(writeOptions.metadata),
            expiration: writeOptions.expiration,
            expiration_ttl: writeOptions.expirationTtl,
          }),
        { safe: true },
      );
    },

    async deleteKey(namespaceId, key) {
      await call(() => client.kv.namespaces.values.delete(key, { account_id, namespace_id: namespaceId }), { safe: true });
    },

    async bulkWrite(namespaceId, items: BulkWriteItem[]): Promise<BulkResult> {
      assertBatch(items.length, BULK_MAX_KEYS, "bulk write");
      const result = await call(
        () =>
          client.kv.namespaces.bulkUpdate(namespaceId, {
            account_id,
            body: items.map((i) => ({
              key: i.key,
              value: i.value,
              base64: i.base64,
              metadata: i.metadata,
              expiration: i.expiration,
              expiration_ttl: i.expirationTtl,
            })),
          }),
        { safe: true },
      );
      return toBulkResult(result, items.length);
    },

    async bulkDelete(namespaceId, keys: string[]): Promise<BulkResult> {
      assertBatch(keys.length, BULK_MAX_KEYS, "bulk delete");
      const result = await call(() => client.kv.namespaces.bulkDelete(namespaceId, { account_id, body: keys }), { safe: true });
      return toBulkResult(result, keys.length);
    },

    async bulkGet(namespaceId, keys, { withMetadata = false, type = "text" } = {}) {
      assertBatch(keys.length, BULK_GET_MAX_KEYS, "bulk get");
      const result = (await call(() => client.kv.namespaces.bulkGet(namespaceId, { account_id, keys, withMetadata, type }), {
        safe: true,
      })) as { values?: Record<string, unknown> } | null;
      const entries: Record<string, BulkGetEntry> = {};
      for (const [key, raw] of Object.entries(result?.values ?? {})) {
        if (withMetadata && raw && typeof raw === "object" && "value" in raw) {
          const r = raw as { value: unknown; metadata?: unknown; expiration?: number };
          entries[key] = { value: stringify(r.value), metadata: r.metadata ?? undefined, expiration: r.expiration ?? undefined };
        } else {
          entries[key] = { value: stringify(raw) };
        }
      }
      return entries;
    },
  };
  return upstream;
}

function stringify(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function assertBatch(size: number, max: number, what: string) {
  if (size > max) throw new UpstreamError("too_large", `A ${what} takes at most ${max} keys; got ${size}.`);
}

function toBulkResult(result: unknown, requested: number): BulkResult {
  const r = (result ?? {}) as { successful_key_count?: number; unsuccessful_keys?: string[] };
  const unsuccessfulKeys = r.unsuccessful_keys ?? [];
  return { successfulKeyCount: r.successful_key_count ?? requested - unsuccessfulKeys.length, unsuccessfulKeys };
}

async function readOrNull<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    // A missing key reads as null; a missing namespace (10013) is an error, not an absent key.
    if (error instanceof UpstreamError && error.kind === "not_found" && error.details.code !== 10013) return null;
    throw error;
  }
}

function contentLength(response: Response): number | null {
  const header = response.headers.get("content-length");
  return header && /^\d+$/.test(header) ? Number(header) : null;
}

async function readAtMost(response: Response, maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}

/**
 * Maps whatever the SDK or the network threw to an UpstreamError. Its message is upstream text, so
 * every secret kvdeck knows (app/utils/redact.server.ts), and `secrets` (the request's own token),
 * is taken out here, before anything can show, store or log it.
 */
export function toUpstreamError(error: unknown, secrets: readonly string[] = []): UpstreamError {
  const mapped = mapError(error);
  const message = redact(mapped.message, secrets);
  return message === mapped.message ? mapped : new UpstreamError(mapped.kind, message, mapped.details);
}

function mapError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof APIUserAbortError) return new UpstreamError("timeout", "The request was cancelled.");
  if (error instanceof APIConnectionTimeoutError) return new UpstreamError("timeout", "The upstream did not answer in time.");
  if (error instanceof APIError) {
    const status = error.status;
    if (status === undefined) {
      return new UpstreamError("unavailable", `The upstream could not be reached: ${error.message}`);
    }
    const first = firstError(error.error);
    const message = first?.message ?? error.message;
    const code = first?.code;
    const retryAfter = Number(error.headers?.get("retry-after"));
    const kind = kindFor(status, code);
    return new UpstreamError(kind, message, {
      status,
      code,
      retryAfterSeconds: kind === "rate_limited" && Number.isFinite(retryAfter) ? Math.max(1, Math.ceil(retryAfter)) : undefined,
    });
  }
  if (error instanceof Error && error.name === "AbortError") return new UpstreamError("timeout", "The request was cancelled.");
  return new UpstreamError("unavailable", error instanceof Error ? error.message : String(error));
}

function kindFor(status: number, code: number | undefined): UpstreamErrorKind {
  if (code === 10000) return "unauthorized";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404 || code === 10009 || code === 10013) return "not_found";
  if (status === 409 || code === 10014) return "conflict";
  if (status === 413 || code === 10024) return "too_large";
  if (status === 429 || code === 10022) return "rate_limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "unavailable";
  return "invalid";
}

function firstError(body: unknown): { code?: number; message?: string } | undefined {
  const errors = (body as { errors?: { code?: number; message?: string }[] } | undefined)?.errors;
  return Array.isArray(errors) ? errors[0] : undefined;
}
