// The streaming core every job shares: read a source page by page (an upstream listing, a key set,
// an import file), keep the items that match, cut them into batches and run several batches at
// once (as many as the job's adaptive concurrency allows) while reading continues. Memory is one
// page plus the batches in flight, whatever the size of the namespace.
//
// Each finished batch is counted and checkpointed; the checkpoint only moves past a page once all
// of that page's batches have finished (see checkpoint.ts). An ordered pipeline (export) commits
// batches strictly in source order, so its output can be appended as it goes.
import { CheckpointTracker, type PipelineCheckpoint } from "./checkpoint";
import { BatchStopped, type JobContext, type StepResume, isStopped } from "./context.server";
import type { KeyError } from "./store.server";

export interface SourcePage<I> {
  /** The cursor this page was read with; null for the first page. */
  cursor: string | null;
  /** The cursor of the next page; null when this was the last. */
  next: string | null;
  items: I[];
}

export interface BatchOutcome {
  succeeded: number;
  skipped: number;
  failed: KeyError[];
  /** What an ordered pipeline's commit() needs (e.g. the lines to append). */
  output?: unknown;
}

export interface PipelineSpec<I, P, S = unknown> {
  source(start: string | null): AsyncIterable<SourcePage<I>>;
  /** Where an item sits in the source; grows strictly from item to item. */
  position(item: I): P;
  compare(a: P, b: P): number;
  keyOf(item: I): string;
  filter?(item: I): boolean;
  batch: { maxItems: number; maxBytes?: number; sizeOf?(item: I): number };
  /** Fixed concurrency; omitted: the job's adaptive concurrency. */
  concurrency?: number;
  /**
   * A preparatory step (e.g. noting which keys already exist in a target): runs in dry runs too,
   * and its items are not the job's matched or processed keys.
   */
  auxiliary?: boolean;
  /**
   * The source's items were already counted as scanned by an earlier step (an import's write step
   * reads the file its validation read): they are not counted again.
   */
  scannedBefore?: boolean;
  /**
   * Write-ahead of batches in flight, for pipelines whose batches change what the source lists
   * (deletes): a crash after the upstream applied a batch but before its outcome was checkpointed
   * would otherwise leave those keys uncounted once the listing no longer shows them. Each batch's
   * keys are saved (one insert) before it is sent, and removed by the checkpoint write that counts
   * it; a resume first replays every batch left in flight, counts it, marks its range done, and only
   * then reads the source, which skips those keys.
   */
  writeAhead?: {
    /** The position of a key (keyOf's inverse, as far as position() is concerned). */
    position(key: string): P;
    /** Sends a batch left in flight again, from its keys alone (idempotent, like process()). */
    replay(keys: string[]): Promise<BatchOutcome>;
  };
  /** Runs one batch. Must be safe to run again (a batch in flight at a crash is redone). */
  process(items: I[]): Promise<BatchOutcome>;
  /**
   * Dry runs only: records a batch's matching items instead of processing them (a plan stores its
   * keys). Must be safe to run again (a resumed dry run may record a batch twice).
   */
  plan?(items: I[]): Promise<void>;
  /**
   * Ordered pipelines only: called with each finished batch in source order; returns the new
   * state saved with the checkpoint (e.g. the output file's length).
   */
  commit?(items: I[], outcome: BatchOutcome, state: S): Promise<S>;
  /** The state to start from when the step is not resuming. */
  initialState?: S;
}

interface Batch<I, P> {
  items: I[];
  start: number;
  end: number;
  first: P;
  last: P;
  bytes: number;
}

/** Runs the pipeline to the end of its source; returns the final state. Throws JobStopped when stopped. */
export async function runPipeline<I, P, S = unknown>(
  ctx: JobContext<unknown>,
  spec: PipelineSpec<I, P, S>,
  resume: StepResume | null,
): Promise<S> {
  const tracker = new CheckpointTracker<P>(spec.compare, resume?.checkpoint as never);
  let state = (resume ? resume.state : spec.initialState) as S;
  // Where the pipeline stands: pushed into the job's checkpoint with every batch it counts and
  // before every save it asks for, so a checkpoint's place always matches its counters.
  const place = (): StepResume => ({ checkpoint: tracker.checkpoint() as PipelineCheckpoint<unknown>, state });
  ctx.place(place());
  const dry = ctx.dryRun && !spec.auxiliary;
  const writeAhead = dry || spec.auxiliary ? undefined : spec.writeAhead;
  if (writeAhead) await replayInflight(ctx, tracker, spec, writeAhead, place);
  const start = tracker.startCursor;
  if (start === undefined) return state;

  const ordered = Boolean(spec.commit) && !dry;
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;
  let current: Batch<I, P> | null = null;
  // Ordered mode: finished batches wait here until every earlier one is committed.
  const finished = new Map<number, { batch: Batch<I, P>; outcome: BatchOutcome }>();
  let nextToCommit: number | null = null;
  let committing: Promise<void> = Promise.resolve();

  const limit = () => spec.concurrency ?? ctx.aimd.limit;
  const check = () => {
    if (failure) throw failure;
    ctx.throwIfStopped();
  };

  const settle = (batch: Batch<I, P>, outcome: BatchOutcome) => {
    tracker.complete(batch.start, batch.end, batch.first, batch.last);
    ctx.commitBatch(spec.auxiliary ? { succeeded: 0, skipped: 0, failed: [] } : outcome, place(), writeAhead ? batch.start : undefined);
  };

  const commitInOrder = async () => {
    for (;;) {
      if (nextToCommit === null) return;
      const ready = finished.get(nextToCommit);
      if (!ready) return;
      finished.delete(nextToCommit);
      ctx.throwIfStopped();
      const next = await spec.commit!(ready.batch.items, ready.outcome, state);
      // The state and the tracker move together, with no await between them: any checkpoint
      // snapshot sees both before or both after.
      state = next;
      settle(ready.batch, ready.outcome);
      nextToCommit = ready.batch.end;
    }
  };

  // A batch stopped part-way (between the retry rounds of its bulk requests): the keys the upstream
  // already applied are counted as succeeded, and each run of them in the batch is completed in the
  // tracker as a batch of its own, so the checkpoint covers exactly those keys. The rest of the
  // batch stays unfinished (its page is not passed): the resume sends it again, and skips the runs.
  const settlePart = (batch: Batch<I, P>, applied: string[]) => {
    const done = new Set(applied);
    let count = 0;
    let from = -1;
    const close = (to: number) => {
      tracker.complete(batch.start + from, batch.start + to, spec.position(batch.items[from]), spec.position(batch.items[to - 1]));
      from = -1;
    };
    batch.items.forEach((item, i) => {
      if (done.has(spec.keyOf(item))) {
        count++;
        if (from < 0) from = i;
      } else if (from >= 0) close(i);
    });
    if (from >= 0) close(batch.items.length);
    // The whole batch stays in the write-ahead (a request cut off by the stop may still have been
    // applied): a resume replays it, leaving out the keys checkpointed here as done.
    if (count > 0) ctx.commitBatch({ succeeded: count, skipped: 0, failed: [] }, place());
  };

  const processBatch = async (batch: Batch<I, P>): Promise<BatchOutcome> => {
    if (writeAhead) {
      // The checkpoint that counts these keys as scanned is saved before they can be deleted: a
      // takeover replays them without counting them again, even once the listing no longer shows them.
      ctx.place(place());
      await ctx.save();
      await ctx.writeAhead(batch.start, batch.items.map(spec.keyOf));
      check();
    }
    try {
      return await spec.process(batch.items);
    } catch (error) {
      // An ordered pipeline commits whole batches in order (none of them writes in bulk today).
      if (error instanceof BatchStopped && !ordered && !spec.auxiliary) settlePart(batch, error.applied);
      throw error;
    }
  };

  const run = async (batch: Batch<I, P>) => {
    if (dry) await spec.plan?.(batch.items);
    const outcome = dry ? { succeeded: 0, skipped: batch.items.length, failed: [] } : await processBatch(batch);
    if (!ordered) return settle(batch, outcome);
    finished.set(batch.start, { batch, outcome });
    committing = committing.then(commitInOrder);
    await committing;
  };

  const dispatch = async (batch: Batch<I, P>) => {
    if (ordered && nextToCommit === null) nextToCommit = batch.start;
    while (inflight.size >= Math.max(1, limit())) {
      await Promise.race(inflight);
      check();
    }
    check();
    const task: Promise<void> = run(batch)
      .catch((error) => {
        if (isStopped(error)) return;
        failure ??= error;
        // Stop the other batches at their next wait; the job fails with this error.
        ctx.stop("error");
      })
      .finally(() => inflight.delete(task));
    inflight.add(task);
  };

  const drain = async () => {
    while (inflight.size > 0) await Promise.race(inflight);
  };

  try {
    for await (const page of spec.source(start)) {
      check();
      tracker.beginPage(page.cursor, page.next, page.items.length);
      if (!spec.auxiliary && !spec.scannedBefore) ctx.noteScanned(page.items.map(spec.position), spec.compare);
      for (const item of page.items) {
        if (spec.filter && !spec.filter(item)) continue;
        const pos = spec.position(item);
        if (tracker.finishedBefore(pos)) continue;
        const seq = tracker.add();
        if (!spec.auxiliary) ctx.noteMatched(spec.keyOf(item));
        const size = spec.batch.sizeOf?.(item) ?? 0;
        if (current && spec.batch.maxBytes !== undefined && current.bytes + size > spec.batch.maxBytes) {
          const full: Batch<I, P> = current;
          current = null;
          await dispatch(full);
        }
        current ??= { items: [], start: seq, end: seq, first: pos, last: pos, bytes: 0 };
        current.items.push(item);
        current.end = seq + 1;
        current.last = pos;
        current.bytes += size;
        if (current.items.length >= spec.batch.maxItems) {
          const full: Batch<I, P> = current;
          current = null;
          await dispatch(full);
        }
      }
      tracker.endPage();
    }
    if (current) {
      const last: Batch<I, P> = current;
      current = null;
      await dispatch(last);
    }
    await drain();
    check();
    ctx.place(place());
    await ctx.save();
    return state;
  } catch (error) {
    // Let the batches in flight finish or stop, so the last checkpoint accounts for all of them.
    await drain();
    if (failure && isStopped(error)) throw failure;
    throw error;
  } finally {
    // The place as the pipeline stopped (its batches drained): what the job's final checkpoint saves.
    ctx.place(place());
  }
}

/**
 * Before a resumed pipeline reads its source: sends again every batch an earlier run left in
 * flight, counts each by its result, marks its range done in the checkpoint, and removes it from
 * the write-ahead, all in one checkpoint write. A key of such a batch listed again later falls in
 * that range and is skipped, so it is counted once.
 */
async function replayInflight<I, P, S>(
  ctx: JobContext<unknown>,
  tracker: CheckpointTracker<P>,
  spec: PipelineSpec<I, P, S>,
  writeAhead: NonNullable<PipelineSpec<I, P, S>["writeAhead"]>,
  place: () => StepResume,
) {
  const batches = await ctx.leftInFlight();
  if (batches.size === 0) return;
  const range = (keys: string[]): [P, P] => {
    const positions = keys.map(writeAhead.position).sort(spec.compare);
    return [positions[0], positions[positions.length - 1]];
  };
  for (const [batch, written] of batches) {
    ctx.throwIfStopped();
    // Keys a stopped batch already had counted and checkpointed (see settlePart) are left out.
    const keys = written.filter((key) => !tracker.finishedBefore(writeAhead.position(key)));
    // Stopped part-way, the replay throws and counts nothing: the batch stays in flight, and the
    // next resume replays it whole again.
    const outcome = keys.length > 0 ? await writeAhead.replay(keys) : { succeeded: 0, skipped: 0, failed: [] };
    if (keys.length > 0) tracker.markDone(...range(keys));
    ctx.commitBatch(outcome, place(), batch);
  }
  ctx.log(`replayed ${batches.size} batch(es) left in flight`);
  // Saved before anything else is sent: a batch id of this run may equal a replayed one.
  ctx.place(place());
  await ctx.save();
}

/** A source over a sorted key set read page by page (delete-selected's keys). */
export async function* keySetSource(
  page: (after: string | null) => Promise<string[]>,
  start: string | null,
): AsyncGenerator<SourcePage<string>> {
  let cursor = start;
  for (;;) {
    const keys = await page(cursor);
    const next = keys.length ? keys[keys.length - 1] : null;
    yield { cursor, next, items: keys };
    if (next === null) return;
    cursor = next;
  }
}
