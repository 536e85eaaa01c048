// The hub's producers, on fake timers and a producer the test drives: one per topic however many
// subscribers, each subscriber getting the current state first, equal states sent once, and the
// producer stopped a little after its last subscriber (reused if one comes back meanwhile).
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { LiveHub, PRODUCER_LINGER_MS } from "./hub.server";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function hub() {
  const emits = new Map<string, (state: unknown) => void>();
  const stopped: string[] = [];
  const live = new LiveHub((topic) => (emit) => {
    const name = topic.kind === "job" ? `job:${topic.jobId}` : "jobs";
    emits.set(name, emit);
    return () => stopped.push(name);
  });
  const job = { kind: "job" as const, jobId: "1" };
  return { live, emits, stopped, job };
}

test("one producer for many subscribers; each gets the current state first, and each change once", () => {
  const { live, emits, job } = hub();
  const first: unknown[] = [];
  live.subscribe("job:1", job, (s) => first.push(s));
  emits.get("job:1")!({ n: 1 });
  emits.get("job:1")!({ n: 1 });
  const second: unknown[] = [];
  for (let i = 0; i < 19; i++) live.subscribe("job:1", job, (s) => i === 0 && second.push(s));
  emits.get("job:1")!({ n: 2 });
  expect(first).toEqual([{ n: 1 }, { n: 2 }]);
  expect(second).toEqual([{ n: 1 }, { n: 2 }]);
  expect(live.stats()).toMatchObject({ producers: { "job:1": 20 }, started: { "job:1": 1 } });
});

test("the producer stops a little after its last subscriber; one coming back meanwhile reuses it", () => {
  const { live, stopped, job } = hub();
  const stop = live.subscribe("job:1", job, () => {});
  stop();
  vi.advanceTimersByTime(PRODUCER_LINGER_MS - 1);
  const again = live.subscribe("job:1", job, () => {});
  vi.advanceTimersByTime(PRODUCER_LINGER_MS * 2);
  expect(stopped).toEqual([]);
  again();
  vi.advanceTimersByTime(PRODUCER_LINGER_MS);
  expect(stopped).toEqual(["job:1"]);
  live.subscribe("job:1", job, () => {});
  expect(live.stats().started["job:1"]).toBe(2);
  live.close();
  expect(stopped).toEqual(["job:1", "job:1"]);
});
