// Where a pipelined job may resume. Items come from a source in pages (upstream list pages, or
// chunks of an import file), each item at a position that only grows (a key name in byte order, a
// byte offset). Batches of matched items complete in any order, so the resume point is:
//
//   cursor  the page to list again: the earliest page that still holds an unfinished item (a page
//           is only passed once every batch holding its items has completed);
//   after   the position of the last item of the finished prefix: items at or before it are done;
//   done    position ranges of batches that completed out of order, beyond `after`.
//
// On resume the source restarts at `cursor` and items at or before `after`, or inside a `done`
// range, are skipped: nothing finished is done twice, nothing unfinished is skipped, and the
// counters saved with the checkpoint stay exact.

export interface PipelineCheckpoint<P> {
  /** Null: from the first page. */
  cursor: string | null;
  /** True once the source was read to its end and every batch completed. */
  ended?: boolean;
  after: P | null;
  done: [P, P][];
  /** Items read from the source before `cursor` (for the "scanned" counter). */
  scanned: number;
}

interface OpenPage {
  cursor: string | null;
  /** Null: the source has no further page. */
  next: string | null;
  /** Sequence number one past the page's last matched item; null while the page is being read. */
  endSeq: number | null;
  scannedBefore: number;
}

interface CompletedBatch<P> {
  end: number;
  first: P;
  last: P;
}

export class CheckpointTracker<P> {
  private nextSeq = 0;
  /** Every matched item with a lower sequence number is finished. */
  private doneUpTo = 0;
  private readonly pages: OpenPage[] = [];
  /** Where the source continues once every open page is finished. */
  private continueAt: string | null;
  private ended = false;
  private after: P | null;
  /** Batches finished beyond `doneUpTo`, by first sequence number. */
  private readonly outOfOrder = new Map<number, CompletedBatch<P>>();
  /** `done` ranges inherited from the checkpoint this run resumed from. */
  private inherited: [P, P][];
  private readonly resumedAfter: P | null;
  private scannedTotal: number;
  private scannedAtCursor: number;

  constructor(
    private readonly compare: (a: P, b: P) => number,
    resume?: PipelineCheckpoint<P> | null,
  ) {
    this.continueAt = resume?.cursor ?? null;
    this.ended = resume?.ended ?? false;
    this.after = resume?.after ?? null;
    this.resumedAfter = this.after;
    this.inherited = [...(resume?.done ?? [])];
    this.scannedTotal = resume?.scanned ?? 0;
    this.scannedAtCursor = this.scannedTotal;
  }

  /** Where the source should start reading; undefined when there is nothing left to read. */
  get startCursor(): string | null | undefined {
    return this.ended ? undefined : this.continueAt;
  }

  get scanned() {
    return this.scannedTotal;
  }

  /** True for an item finished before this run resumed (it must not be processed or counted again). */
  finishedBefore(pos: P): boolean {
    if (this.resumedAfter !== null && this.compare(pos, this.resumedAfter) <= 0) return true;
    return this.inherited.some(([lo, hi]) => this.compare(pos, lo) >= 0 && this.compare(pos, hi) <= 0);
  }

  /**
   * Items at positions `first`..`last` were finished by this run before it read the source (the
   * replayed batches of an earlier run): they are skipped like the checkpoint's own `done` ranges.
   */
  markDone(first: P, last: P) {
    if (this.resumedAfter !== null && this.compare(last, this.resumedAfter) <= 0) return;
    this.inherited.push([first, last]);
  }

  beginPage(cursor: string | null, next: string | null, itemCount: number) {
    this.pages.push({ cursor, next, endSeq: null, scannedBefore: this.scannedTotal });
    this.scannedTotal += itemCount;
  }

  /** Gives the next matched item its sequence number. */
  add(): number {
    return this.nextSeq++;
  }

  endPage() {
    const page = this.pages[this.pages.length - 1];
    if (page && page.endSeq === null) page.endSeq = this.nextSeq;
    this.advance();
  }

  /** A batch of the matched items `start`..`end - 1` (positions `first`..`last`) finished. */
  complete(start: number, end: number, first: P, last: P) {
    if (end <= start) return;
    this.outOfOrder.set(start, { end, first, last });
    this.advance();
  }

  /** True once every page read so far is finished and the source has no further page. */
  get finished(): boolean {
    return this.pages.length === 0 && this.ended && this.outOfOrder.size === 0;
  }

  checkpoint(): PipelineCheckpoint<P> {
    const front = this.pages[0];
    const done: [P, P][] = [];
    const after = this.after;
    for (const range of this.inherited) if (after === null || this.compare(range[1], after) > 0) done.push(range);
    for (const batch of [...this.outOfOrder.values()].sort((a, b) => this.compare(a.first, b.first))) done.push([batch.first, batch.last]);
    const checkpoint: PipelineCheckpoint<P> = {
      cursor: front ? front.cursor : this.continueAt,
      after,
      done,
      scanned: front ? front.scannedBefore : this.scannedAtCursor,
    };
    if (!front && this.ended) checkpoint.ended = true;
    return checkpoint;
  }

  private advance() {
    for (let batch = this.outOfOrder.get(this.doneUpTo); batch; batch = this.outOfOrder.get(this.doneUpTo)) {
      this.outOfOrder.delete(this.doneUpTo);
      this.doneUpTo = batch.end;
      this.after = batch.last;
    }
    if (this.after !== null) {
      const after = this.after;
      this.inherited = this.inherited.filter((range) => this.compare(range[1], after) > 0);
    }
    while (this.pages.length > 0) {
      const page = this.pages[0];
      if (page.endSeq === null || page.endSeq > this.doneUpTo) break;
      this.pages.shift();
      this.scannedAtCursor = this.pages[0]?.scannedBefore ?? this.scannedTotal;
      if (page.next === null) {
        this.ended = true;
        this.continueAt = null;
      } else this.continueAt = page.next;
    }
  }
}
