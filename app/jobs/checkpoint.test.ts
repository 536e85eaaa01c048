// The checkpoint only passes a page once every batch holding its items has finished, and a
// resumed run neither repeats a finished item nor skips an unfinished one.
import { describe, expect, test } from "vitest";
import { seededRandom } from "@kvdeck/local-kv";
import { CheckpointTracker, type PipelineCheckpoint } from "./checkpoint";

const byNumber = (a: number, b: number) => a - b;

describe("in order", () => {
  test("the cursor stays on a page until its last batch has finished", () => {
    const t = new CheckpointTracker<number>(byNumber);
    expect(t.startCursor).toBeNull();
    // page 1 (cursor null, next "c2"): items 1..3; page 2 (cursor "c2", next "c3"): items 4..6
    t.beginPage(null, "c2", 3);
    const s = [t.add(), t.add(), t.add()];
    t.endPage();
    t.beginPage("c2", "c3", 3);
    s.push(t.add(), t.add(), t.add());
    t.endPage();
    expect(t.checkpoint()).toEqual({ cursor: null, after: null, done: [], scanned: 0 });

    // A batch of items 1..4 spans both pages: page 1 is passed, page 2 is not.
    t.complete(s[0], s[3] + 1, 1, 4);
    expect(t.checkpoint()).toEqual({ cursor: "c2", after: 4, done: [], scanned: 3 });
    t.complete(s[4], s[5] + 1, 5, 6);
    expect(t.checkpoint()).toEqual({ cursor: "c3", after: 6, done: [], scanned: 6 });
  });

  test("pages without matches pass as soon as everything before them has", () => {
    const t = new CheckpointTracker<number>(byNumber);
    t.beginPage(null, "c2", 2);
    const a = t.add();
    t.endPage();
    t.beginPage("c2", "c3", 5); // nothing matched
    t.endPage();
    t.beginPage("c3", null, 0); // an empty last page
    t.endPage();
    expect(t.checkpoint().cursor).toBeNull();
    t.complete(a, a + 1, 10, 10);
    expect(t.checkpoint()).toMatchObject({ cursor: null, ended: true, after: 10 });
    expect(t.finished).toBe(true);
    expect(new CheckpointTracker(byNumber, t.checkpoint()).startCursor).toBeUndefined();
  });
});

describe("out of order", () => {
  test("a batch that finished early is remembered as a done range, and skipped on resume", () => {
    const t = new CheckpointTracker<number>(byNumber);
    t.beginPage(null, "c2", 4);
    const seq = [1, 2, 3, 4].map(() => t.add());
    t.endPage();
    t.complete(seq[2], seq[3] + 1, 3, 4); // the second batch first
    const saved = t.checkpoint();
    expect(saved).toEqual({ cursor: null, after: null, done: [[3, 4]], scanned: 0 });

    const resumed = new CheckpointTracker<number>(byNumber, saved);
    expect(resumed.startCursor).toBeNull();
    expect([1, 2, 3, 4, 5].map((p) => resumed.finishedBefore(p))).toEqual([false, false, true, true, false]);
  });

  test("inherited done ranges are kept until the finished prefix passes them", () => {
    const t = new CheckpointTracker<number>(byNumber, { cursor: "c1", after: 2, done: [[5, 6]], scanned: 10 });
    t.beginPage("c1", "c2", 6);
    // items 1, 2 (≤ after) and 5, 6 (done) are skipped by the pipeline; 3, 4 and 7 are new
    const a = [t.add(), t.add()];
    const b = t.add();
    t.endPage();
    t.complete(a[0], a[1] + 1, 3, 4);
    expect(t.checkpoint()).toMatchObject({ cursor: "c1", after: 4, done: [[5, 6]] });
    t.complete(b, b + 1, 7, 7);
    expect(t.checkpoint()).toEqual({ cursor: "c2", after: 7, done: [], scanned: 16 });
  });
});

/**
 * A source of `total` items in pages; batches cut across pages, finish in random order, and the
 * process "crashes" at a random moment. Everything finished before the crash must be skipped after
 * it, everything else processed: over any number of crashes, each item is finished exactly once.
 */
test.each([1, 2, 3, 4, 5, 6, 7, 8])("random crashes and resumes (seed %i): each item finishes exactly once", (seed) => {
  const random = seededRandom(seed);
  const total = 2_000;
  const pageSize = 97;
  const matches = (i: number) => i % 3 !== 0;
  const finished = new Map<number, number>();
  let saved: PipelineCheckpoint<number> | null = null;

  for (let run = 0; run < 50; run++) {
    const t = new CheckpointTracker<number>(byNumber, saved);
    const start = t.startCursor;
    if (start === undefined) break;
    const crashAfter = Math.floor(random() * 40) + 1;
    let events = 0;
    const inflight: { start: number; end: number; items: number[] }[] = [];
    let batch: { start: number; end: number; items: number[] } | null = null;
    const finishOne = () => {
      const b = inflight.splice(Math.floor(random() * inflight.length), 1)[0];
      for (const item of b.items) finished.set(item, (finished.get(item) ?? 0) + 1);
      t.complete(b.start, b.end, b.items[0], b.items[b.items.length - 1]);
      saved = t.checkpoint(); // a checkpoint is written after every finished batch
      events++;
    };
    let crashed = false;
    let pageStart = start === null ? 0 : Number(start);
    outer: for (; pageStart < total; pageStart += pageSize) {
      const next = pageStart + pageSize < total ? String(pageStart + pageSize) : null;
      const items = Array.from({ length: Math.min(pageSize, total - pageStart) }, (_, i) => pageStart + i);
      t.beginPage(pageStart === 0 ? null : String(pageStart), next, items.length);
      for (const item of items) {
        if (!matches(item) || t.finishedBefore(item)) continue;
        const seq = t.add();
        batch ??= { start: seq, end: seq, items: [] };
        batch.items.push(item);
        batch.end = seq + 1;
        if (batch.items.length >= 1 + Math.floor(random() * 150)) {
          inflight.push(batch);
          batch = null;
          while (inflight.length > 4 || (inflight.length > 0 && random() < 0.3)) {
            finishOne();
            if (events >= crashAfter) {
              crashed = true;
              break outer;
            }
          }
        }
      }
      t.endPage();
    }
    if (crashed) continue; // the in-flight batches die with the process
    if (batch) inflight.push(batch);
    while (inflight.length) finishOne();
    expect(t.finished).toBe(true);
    break;
  }

  const expected = Array.from({ length: total }, (_, i) => i).filter(matches);
  expect([...finished.keys()].sort((a, b) => a - b)).toEqual(expected);
  expect([...finished.values()].every((n) => n === 1)).toBe(true);
});

describe("replayed batches", () => {
  test("a range marked done before reading is skipped, saved, and dropped once passed", () => {
    const t = new CheckpointTracker<number>(byNumber, { cursor: "c2", after: 10, done: [], scanned: 10 });
    t.markDone(5, 8); // already at or before `after`: nothing to add
    t.markDone(21, 30);
    expect(t.finishedBefore(25)).toBe(true);
    expect(t.finishedBefore(31)).toBe(false);
    expect(t.checkpoint()).toEqual({ cursor: "c2", after: 10, done: [[21, 30]], scanned: 10 });
    t.beginPage("c2", null, 3);
    const a = t.add();
    t.endPage();
    t.complete(a, a + 1, 40, 40);
    expect(t.checkpoint()).toMatchObject({ cursor: null, ended: true, after: 40, done: [] });
  });
});
