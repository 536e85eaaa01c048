// A job's requests to the upstream: paced by the token's shared budget (through a JobGate), retried
// here and only here (the job's upstreams are built with retries off), and fed back to the job's
// adaptive concurrency. Bulk writes and deletes fall back gradually: only the keys the upstream
// reported unsuccessful are sent again, a request refused as a whole is split in halves until
// the bad item is alone, and a key that keeps failing ends up in the job's error report.
import type { BudgetLane, RequestBudget, UpstreamBudget } from "~/kv/budget.server";
import { UpstreamError } from "~/kv/errors";
import { BULK_GET_MAX_KEYS, BULK_MAX_BODY_BYTES, BULK_MAX_KEYS, LIST_LIMIT_MAX } from "~/kv/limits";
import type { BulkResult, BulkWriteItem, KeyInfo, KeyPage, KvUpstream } from "~/kv/upstream.server";
import type { Aimd } from "./aimd";
import { fullJitter, sleep } from "./backoff";
import { BatchStopped, isStopped } from "./stop";
import type { KeyError } from "./store.server";

/** Attempts of one request that failed with a 5xx, a timeout or a network error. */
export const MAX_TRANSIENT_ATTEMPTS = 8;
/** Attempts of one request answered 429 (each waits out Retry-After). */
export const MAX_RATE_LIMITED_ATTEMPTS = 30;
/** Rounds of re-sending the keys a bulk request reported unsuccessful. */
export const MAX_KEY_ROUNDS = 6;
/** A bulk write body stays under the 100 MB limit with room for the JSON around the items. */
const WRITE_BODY_LIMIT = BULK_MAX_BODY_BYTES - 1024 * 1024;
const LANE: BudgetLane = "job";

export const NOT_APPLIED = "The upstream reported this key unsuccessful on every attempt.";

/** A job's share of a token's budget: counts its requests and stops waiting when the job stops. */
export class JobGate implements UpstreamBudget {
  requests = 0;
  /** Acquisitions that had to wait: a request timed across one is no latency sample. */
  waits = 0;

  constructor(
    private readonly shared: RequestBudget | null,
    private readonly signal: AbortSignal,
  ) {}

  async acquire() {
    this.signal.throwIfAborted();
    if (this.shared) {
      const started = performance.now();
      await this.shared.acquire(LANE, { signal: this.signal });
      if (performance.now() - started > 2) this.waits++;
    }
    this.requests++;
  }

  rateLimited(retryAfterSeconds: number) {
    this.shared?.block(Date.now() + retryAfterSeconds * 1000);
  }
}

export interface BulkOutcome {
  succeeded: number;
  failed: KeyError[];
}

/** A value as read for copying, exporting or rewriting: text, or base64 for bytes that are not UTF-8. */
export interface ReadValue {
  value: string;
  base64: boolean;
  metadata?: unknown;
  expiration?: number;
}

export class JobOps {
  constructor(
    private readonly signal: AbortSignal,
    private readonly aimd: Aimd,
    /** Total waits of the job's gates, to tell clean latency samples. */
    private readonly waits: () => number,
  ) {}

  /** One request, retried on 429 (after Retry-After) and on transient failures (backoff, full jitter). */
  async request<T>(run: () => Promise<T>, options: { adaptive?: boolean } = {}): Promise<T> {
    let transient = 0;
    for (let attempt = 0; ; attempt++) {
      this.signal.throwIfAborted();
      const waitsBefore = this.waits();
      const started = performance.now();
      try {
        const result = await run();
        if (options.adaptive) this.aimd.success(this.waits() === waitsBefore ? performance.now() - started : undefined);
        return result;
      } catch (error) {
        if (this.signal.aborted) throw this.signal.reason;
        if (!(error instanceof UpstreamError)) throw error;
        if (error.kind === "rate_limited") {
          this.aimd.congestion();
          if (attempt + 1 >= MAX_RATE_LIMITED_ATTEMPTS) throw error;
          // The shared budget is blocked as long; waiting here as well costs nothing more.
          await sleep((error.details.retryAfterSeconds ?? 1) * 1000, this.signal);
          continue;
        }
        if (error.kind === "unavailable" || error.kind === "timeout") {
          if (++transient >= MAX_TRANSIENT_ATTEMPTS) throw error;
          await sleep(fullJitter(transient - 1), this.signal);
          continue;
        }
        throw error;
      }
    }
  }

  listPage(upstream: KvUpstream, namespaceId: string, options: { prefix?: string; cursor: string | null }): Promise<KeyPage> {
    return this.request(async () => {
      // A signal per request: the SDK adds an abort listener to the signal it is given and never
      // removes it, which on the job's own signal would grow with every page listed.
      const request = new AbortController();
      const onAbort = () => request.abort(this.signal.reason);
      this.signal.addEventListener("abort", onAbort, { once: true });
      try {
        return await upstream.listKeys(namespaceId, {
          prefix: options.prefix,
          cursor: options.cursor ?? undefined,
          limit: LIST_LIMIT_MAX,
          signal: request.signal,
        });
      } finally {
        this.signal.removeEventListener("abort", onAbort);
      }
    });
  }

  deleteKeys(upstream: KvUpstream, namespaceId: string, keys: string[]): Promise<BulkOutcome> {
    return this.bulk(
      keys,
      (k) => k,
      BULK_MAX_KEYS,
      () => 0,
      (chunk) => upstream.bulkDelete(namespaceId, chunk),
    );
  }

  writeItems(upstream: KvUpstream, namespaceId: string, items: BulkWriteItem[]): Promise<BulkOutcome> {
    return this.bulk(
      items,
      (i) => i.key,
      BULK_MAX_KEYS,
      bodyBytes,
      (chunk) => upstream.bulkWrite(namespaceId, chunk),
    );
  }

  /**
   * Values with metadata and expiration, 100 keys a request. Keys that no longer exist are absent.
   * A bulk read returns text, so a value that came back with U+FFFD (bytes that are not UTF-8, or
   * a real U+FFFD) is read once more on its own, as bytes.
   */
  async readValues(upstream: KvUpstream, namespaceId: string, keys: string[]): Promise<Map<string, ReadValue>> {
    const out = new Map<string, ReadValue>();
    for (let i = 0; i < keys.length; i += BULK_GET_MAX_KEYS) {
      const chunk = keys.slice(i, i + BULK_GET_MAX_KEYS);
      const entries = await this.request(() => upstream.bulkGet(namespaceId, chunk, { withMetadata: true, type: "text" }), {
        adaptive: true,
      });
      for (const key of chunk) {
        const entry = entries[key];
        if (!entry || entry.value === null) continue;
        const read: ReadValue = { value: entry.value, base64: false };
        if (entry.metadata !== undefined && entry.metadata !== null) read.metadata = entry.metadata;
        if (entry.expiration !== undefined && entry.expiration !== null) read.expiration = entry.expiration;
        if (entry.value.includes("\uFFFD")) {
          const raw = await this.request(() => upstream.getValue(namespaceId, key));
          if (!raw) continue;
          const text = utf8(raw.bytes);
          if (text === null) {
            read.value = Buffer.from(raw.bytes).toString("base64");
            read.base64 = true;
          } else read.value = text;
        }
        out.set(key, read);
      }
    }
    return out;
  }

  /**
   * Sends `items` in requests within the limits, then re-sends only what failed. When the job
   * stops part-way (e.g. paused while waiting to re-send the unsuccessful keys), this throws a
   * BatchStopped with the keys already applied, so that they are counted and checkpointed; the
   * others are left to the resume.
   */
  private async bulk<I>(
    items: I[],
    keyOf: (item: I) => string,
    maxItems: number,
    sizeOf: (item: I) => number,
    send: (chunk: I[]) => Promise<BulkResult>,
  ): Promise<BulkOutcome> {
    const outcome: BulkOutcome = { succeeded: 0, failed: [] };
    const applied: string[] = [];
    try {
      for (const chunk of chunks(items, maxItems, sizeOf, WRITE_BODY_LIMIT)) await this.bulkChunk(chunk, keyOf, send, outcome, applied);
    } catch (error) {
      if (isStopped(error) && applied.length > 0) throw new BatchStopped(error.reason, applied);
      throw error;
    }
    return outcome;
  }

  private async bulkChunk<I>(
    chunk: I[],
    keyOf: (item: I) => string,
    send: (chunk: I[]) => Promise<BulkResult>,
    outcome: BulkOutcome,
    applied: string[],
  ) {
    let pending = chunk;
    for (let round = 0; pending.length > 0; round++) {
      let result: BulkResult;
      try {
        result = await this.request(() => send(pending), { adaptive: true });
      } catch (error) {
        if (!(error instanceof UpstreamError) || (error.kind !== "invalid" && error.kind !== "too_large")) throw error;
        // Refused as a whole: one bad item spoils the request. Split until it stands alone.
        if (pending.length === 1) {
          outcome.failed.push({ key: keyOf(pending[0]), error: error.message });
          return;
        }
        const half = Math.ceil(pending.length / 2);
        await this.bulkChunk(pending.slice(0, half), keyOf, send, outcome, applied);
        await this.bulkChunk(pending.slice(half), keyOf, send, outcome, applied);
        return;
      }
      const unsuccessful = new Set(result.unsuccessfulKeys);
      const retry: I[] = [];
      for (const item of pending) {
        if (unsuccessful.has(keyOf(item))) retry.push(item);
        else applied.push(keyOf(item));
      }
      outcome.succeeded += pending.length - retry.length;
      pending = retry;
      if (pending.length === 0) return;
      if (round + 1 >= MAX_KEY_ROUNDS) {
        for (const item of pending) outcome.failed.push({ key: keyOf(item), error: NOT_APPLIED });
        return;
      }
      await sleep(fullJitter(round), this.signal);
    }
  }
}

/** Source pages of an upstream listing, following the cursor past empty pages. */
export async function* listingSource(
  ops: JobOps,
  upstream: KvUpstream,
  namespaceId: string,
  prefix: string | undefined,
  start: string | null,
): AsyncGenerator<{ cursor: string | null; next: string | null; items: KeyInfo[] }> {
  let cursor = start;
  for (;;) {
    const page = await ops.listPage(upstream, namespaceId, { prefix, cursor });
    const next = page.cursor ? page.cursor : null;
    yield { cursor, next, items: page.keys };
    if (next === null) return;
    cursor = next;
  }
}

/** Splits items into requests of at most `maxItems` and `maxBytes`. */
export function* chunks<I>(items: I[], maxItems: number, sizeOf: (item: I) => number, maxBytes: number): Generator<I[]> {
  let current: I[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) yield current;
}

/** The JSON size of a bulk write item, near enough to stay within the body limit. */
export function bodyBytes(item: BulkWriteItem): number {
  return (
    Buffer.byteLength(item.key) * 2 +
    item.value.length * (item.base64 ? 1 : 2) +
    (item.metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(item.metadata))) +
    64
  );
}

const decoder = new TextDecoder("utf-8", { fatal: true });
function utf8(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
