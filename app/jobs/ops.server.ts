// A job's requests to the upstream: paced by the token's shared budget (through a JobGate), retried
// by kvdeck's one retry helper (~/kv/retry; the job's upstreams are built with retries off) with a
// job's patience (many attempts), and fed back to the job's adaptive concurrency. Bulk writes and
// deletes go through the one bulk apply (~/kv/bulk-apply.server), as inline deletes do, with more
// rounds: only the keys the upstream reported unsuccessful are sent again, a request refused as a
// whole is split in halves until the bad item is alone, and a key that keeps failing ends up in the
// job's error report. A batch stopped between rounds reports the keys already applied.
import type { BudgetLane, RequestBudget, UpstreamBudget } from "~/kv/budget.server";
import { type BulkApplyOptions, type BulkOutcome, bulkDelete, bulkPut } from "~/kv/bulk-apply.server";
import { LIST_LIMIT_MAX } from "~/kv/limits";
import { type ReadValue, readValues } from "~/kv/read-values.server";
import { type RetryPolicy, withRetries } from "~/kv/retry";
import type { BulkWriteItem, KeyInfo, KeyPage, KvUpstream } from "~/kv/upstream.server";
import type { Aimd } from "./aimd";
import { BatchStopped, isStopped } from "./stop";

/** Attempts of one request that failed with a 5xx, a timeout or a network error. */
export const MAX_TRANSIENT_ATTEMPTS = 8;
/** Attempts of one request answered 429 (each waits out Retry-After). */
export const MAX_RATE_LIMITED_ATTEMPTS = 30;
/** Sends of a bulk request's keys in all: the first, then re-sends of those reported unsuccessful. */
export const MAX_KEY_ROUNDS = 6;
const LANE: BudgetLane = "job";

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

export type { ReadValue };

export class JobOps {
  constructor(
    private readonly signal: AbortSignal,
    private readonly aimd: Aimd,
    /** Total waits of the job's gates, to tell clean latency samples. */
    private readonly waits: () => number,
  ) {}

  /** How a job retries one request: 429s after Retry-After, transient failures with backoff (full jitter). */
  private get retry(): RetryPolicy {
    return {
      attempts: MAX_RATE_LIMITED_ATTEMPTS,
      transientAttempts: MAX_TRANSIENT_ATTEMPTS,
      signal: this.signal,
      onFailure: (error) => {
        if (error.kind === "rate_limited") this.aimd.congestion();
      },
    };
  }

  /** One request, retried on 429 (after Retry-After) and on transient failures (backoff, full jitter). */
  request<T>(run: () => Promise<T>, options: { adaptive?: boolean } = {}): Promise<T> {
    return withRetries(() => (options.adaptive ? this.timed(run) : run()), this.retry);
  }

  /** Runs one attempt and feeds its latency to the adaptive concurrency (no sample if it waited for budget). */
  private async timed<T>(run: () => Promise<T>): Promise<T> {
    const waitsBefore = this.waits();
    const started = performance.now();
    const result = await run();
    this.aimd.success(this.waits() === waitsBefore ? performance.now() - started : undefined);
    return result;
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
    const timed = { bulkDelete: (ns: string, chunk: string[]) => this.timed(() => upstream.bulkDelete(ns, chunk)) };
    return this.bulk((options) => bulkDelete(timed, namespaceId, keys, options));
  }

  writeItems(upstream: KvUpstream, namespaceId: string, items: BulkWriteItem[]): Promise<BulkOutcome> {
    const timed = { bulkWrite: (ns: string, chunk: BulkWriteItem[]) => this.timed(() => upstream.bulkWrite(ns, chunk)) };
    return this.bulk((options) => bulkPut(timed, namespaceId, items, options));
  }

  /** Values with metadata and expiration, 100 keys a request (~/kv/read-values.server). */
  readValues(upstream: KvUpstream, namespaceId: string, keys: string[]): Promise<Map<string, ReadValue>> {
    return readValues(upstream, namespaceId, keys, (run, options) => this.request(run, options));
  }

  /**
   * A bulk apply with the job's retries and rounds. When the job stops part-way (e.g. paused while
   * waiting to re-send the unsuccessful keys), this throws a BatchStopped with the keys already
   * applied, so that they are counted and checkpointed; the others are left to the resume.
   */
  private async bulk(apply: (options: BulkApplyOptions) => Promise<BulkOutcome>): Promise<BulkOutcome> {
    const applied: string[] = [];
    try {
      return await apply({
        retry: this.retry,
        retryRounds: MAX_KEY_ROUNDS - 1,
        onApplied: (keys) => applied.push(...keys),
      });
    } catch (error) {
      if (isStopped(error) && applied.length > 0) throw new BatchStopped(error.reason, applied);
      throw error;
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
