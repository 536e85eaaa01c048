// Bulk writes and deletes with per-key results, for inline deletes and jobs alike (they differ in
// their options: an inline delete retries briefly, a job long). Items go out in requests within the
// upstream's limits; each request is retried as the RetryPolicy says (429, 5xx, network); then only
// the keys the upstream listed as unsuccessful are sent again, for a few rounds; a request refused
// as a whole (invalid, too large) is split in halves until the bad item stands alone.
import { UpstreamError } from "./errors";
import { BULK_MAX_BODY_BYTES, BULK_MAX_KEYS } from "./limits";
import { fullJitter, sleep, withRetries, type RetryPolicy } from "./retry";
import type { BulkResult, BulkWriteItem, KvUpstream } from "./upstream.server";

export interface KeyFailure {
  key: string;
  error: string;
}

export interface BulkOutcome {
  succeeded: number;
  failed: KeyFailure[];
}

export interface BulkApplyOptions {
  /** How each request is retried; e.g. `{ attempts: 1 }` when the upstream client retries itself. */
  retry: RetryPolicy;
  /** Times the keys a request listed as unsuccessful are sent again, at most. */
  retryRounds: number;
  /** The wait before the nth (1-based) re-send; default full jitter from 500 ms. */
  roundBackoffMs?: (retry: number) => number;
  /** Before each re-send, with the keys about to go again (a cache shows them `retrying n/m`). */
  onRetry?: (round: { retry: number; of: number; keys: string[] }) => Promise<void> | void;
  /** Keys the upstream applied, as each request answers: a caller stopped part-way knows what is done. */
  onApplied?: (keys: string[]) => void;
  /**
   * With it, a request that failed for good fails its own keys with this text and the other
   * requests go on (an inline delete); without it, that error is thrown (a job stops its batch).
   */
  describeError?: (error: unknown) => string;
  /** What a key that stayed unsuccessful through every round says. */
  notApplied?: string;
}

export const NOT_APPLIED = "The upstream reported this key unsuccessful on every attempt.";
/** A bulk write body stays under the 100 MB limit with room for the JSON around the items. */
const WRITE_BODY_LIMIT = BULK_MAX_BODY_BYTES - 1024 * 1024;

export function bulkDelete(
  upstream: Pick<KvUpstream, "bulkDelete">,
  namespaceId: string,
  keys: string[],
  options: BulkApplyOptions,
): Promise<BulkOutcome> {
  return bulkApply(keys, { keyOf: (k) => k, sizeOf: () => 0, send: (chunk) => upstream.bulkDelete(namespaceId, chunk) }, options);
}

export function bulkPut(
  upstream: Pick<KvUpstream, "bulkWrite">,
  namespaceId: string,
  items: BulkWriteItem[],
  options: BulkApplyOptions,
): Promise<BulkOutcome> {
  return bulkApply(items, { keyOf: (i) => i.key, sizeOf: bodyBytes, send: (chunk) => upstream.bulkWrite(namespaceId, chunk) }, options);
}

interface BulkSpec<I> {
  keyOf: (item: I) => string;
  sizeOf: (item: I) => number;
  send: (chunk: I[]) => Promise<BulkResult>;
}

async function bulkApply<I>(items: I[], spec: BulkSpec<I>, options: BulkApplyOptions): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { succeeded: 0, failed: [] };
  for (const chunk of chunks(items, BULK_MAX_KEYS, spec.sizeOf, WRITE_BODY_LIMIT)) {
    const settled = new Set<string>();
    try {
      await applyChunk(chunk, spec, options, { outcome, settled });
    } catch (error) {
      if (!options.describeError || options.retry.signal?.aborted) throw error;
      const message = options.describeError(error);
      for (const item of chunk) if (!settled.has(spec.keyOf(item))) outcome.failed.push({ key: spec.keyOf(item), error: message });
    }
  }
  return outcome;
}

/** The chunk's keys go into the outcome, and into `settled` as soon as they are applied or failed. */
interface ChunkState {
  outcome: BulkOutcome;
  settled: Set<string>;
}

async function applyChunk<I>(chunk: I[], spec: BulkSpec<I>, options: BulkApplyOptions, state: ChunkState): Promise<void> {
  const { outcome, settled } = state;
  const fail = (key: string, error: string) => {
    outcome.failed.push({ key, error });
    settled.add(key);
  };
  let pending = chunk;
  for (let retry = 0; pending.length > 0; retry++) {
    let result: BulkResult;
    try {
      const sending = pending;
      result = await withRetries(() => spec.send(sending), options.retry);
    } catch (error) {
      if (!(error instanceof UpstreamError) || (error.kind !== "invalid" && error.kind !== "too_large")) throw error;
      // Refused as a whole: one bad item spoils the request. Split until it stands alone.
      if (pending.length === 1) {
        fail(spec.keyOf(pending[0]), options.describeError?.(error) ?? error.message);
        return;
      }
      const half = Math.ceil(pending.length / 2);
      await applyChunk(pending.slice(0, half), spec, options, state);
      await applyChunk(pending.slice(half), spec, options, state);
      return;
    }
    const unsuccessful = new Set(result.unsuccessfulKeys);
    const again: I[] = [];
    const applied: string[] = [];
    for (const item of pending) {
      if (unsuccessful.has(spec.keyOf(item))) again.push(item);
      else applied.push(spec.keyOf(item));
    }
    outcome.succeeded += applied.length;
    for (const key of applied) settled.add(key);
    if (applied.length) options.onApplied?.(applied);
    pending = again;
    if (pending.length === 0) return;
    if (retry >= options.retryRounds) {
      for (const item of pending) fail(spec.keyOf(item), options.notApplied ?? NOT_APPLIED);
      return;
    }
    await options.onRetry?.({ retry: retry + 1, of: options.retryRounds, keys: pending.map(spec.keyOf) });
    const backoff = options.roundBackoffMs ?? ((n: number) => fullJitter(n - 1));
    await (options.retry.sleep ?? sleep)(backoff(retry + 1), options.retry.signal);
  }
}

/** Splits items into requests of at most `maxItems` and `maxBytes`. */
function* chunks<I>(items: I[], maxItems: number, sizeOf: (item: I) => number, maxBytes: number): Generator<I[]> {
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
function bodyBytes(item: BulkWriteItem): number {
  return (
    Buffer.byteLength(item.key) * 2 +
    item.value.length * (item.base64 ? 1 : 2) +
    (item.metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(item.metadata))) +
    64
  );
}
