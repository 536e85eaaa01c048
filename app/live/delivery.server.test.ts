// A stream's delivery of a topic's states, on fake timers: a background topic (only hidden tabs
// watch it) gets its first state at once, then at most one every interval, the newest; a visible
// one gets every state.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { coalescedDelivery, immediateDelivery } from "./delivery.server";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test("a background topic: the first state at once, then the newest one per 10 s window, the ones between dropped", () => {
  const sent: number[] = [];
  const delivery = coalescedDelivery((state) => sent.push(state as number), 10_000);
  delivery.push(1);
  expect(sent).toEqual([1]);
  for (let n = 2; n <= 10; n++) {
    vi.advanceTimersByTime(1_000);
    delivery.push(n);
  }
  expect(sent).toEqual([1]);
  vi.advanceTimersByTime(999);
  expect(sent).toEqual([1]);
  vi.advanceTimersByTime(1);
  expect(sent).toEqual([1, 10]);
  // Nothing new: nothing sent. A state after a quiet window goes at once.
  vi.advanceTimersByTime(30_000);
  expect(sent).toEqual([1, 10]);
  delivery.push(11);
  expect(sent).toEqual([1, 10, 11]);
  delivery.push(12);
  delivery.stop();
  vi.advanceTimersByTime(30_000);
  expect(sent).toEqual([1, 10, 11]);
});

test("a visible topic: every state as it comes", () => {
  const sent: number[] = [];
  const delivery = immediateDelivery((state) => sent.push(state as number));
  for (let n = 1; n <= 5; n++) delivery.push(n);
  expect(sent).toEqual([1, 2, 3, 4, 5]);
});
