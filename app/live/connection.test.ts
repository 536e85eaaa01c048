// The live connection's healing rules, on fake timers and a fake EventSource the test drives: a
// silent stream is declared dead after 2.5 heartbeats and reopened after a backoff that doubles to
// its cap; errors back off the same way; `online` and a visible tab with a stale or down stream
// reconnect at once; topic changes reopen it, debounced, keeping `live`.
import { afterEach, beforeEach, expect, test } from "vitest";
import { vi } from "vitest";
import { eventSources } from "../../tests/helpers/live-browser";
import { DEBOUNCE_MS, INITIAL_BACKOFF_MS, LiveConnection, MAX_BACKOFF_MS, RELAX_MS, backoffDelay } from "./connection";
import type { LiveStatus } from "./protocol";

const HEARTBEAT = 5_000;
const SILENCE = HEARTBEAT * 2.5;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function connection() {
  const sources = eventSources();
  const statuses: LiveStatus[] = [];
  const updates: [string, unknown][] = [];
  // random() = 1: every backoff is its full (upper-bound) delay.
  const live = new LiveConnection(
    { update: (topic, data) => updates.push([topic, data]), refused: () => {}, status: (s) => statuses.push(s) },
    { open: sources.open, random: () => 1 },
  );
  return { live, sources, statuses, updates };
}
const topics = (...names: string[]) => new Map(names.map((n) => [n, true]));

test("one stream for the topics, opened after the debounce; live once the server has sent every topic's state", () => {
  const { live, sources, statuses, updates } = connection();
  live.setTopics(topics("jobs", "job:1"));
  live.setTopics(topics("jobs", "job:1", "job:2"));
  vi.advanceTimersByTime(DEBOUNCE_MS - 1);
  expect(sources.opened).toHaveLength(0);
  vi.advanceTimersByTime(1);
  expect(sources.opened).toHaveLength(1);
  expect(sources.opened[0].topics).toEqual(["job:1", "job:2", "jobs"]);
  expect(statuses).toEqual([]);
  sources.opened[0].sync({ "job:1": { id: "1" } });
  expect(statuses).toEqual(["live"]);
  expect(updates).toContainEqual(["job:1", { id: "1" }]);
});

test("a stream silent for 2.5 heartbeats is closed and reopened after a backoff that doubles up to its cap, and resets once ready", () => {
  const { live, sources, statuses } = connection();
  live.setTopics(topics("jobs"));
  vi.advanceTimersByTime(DEBOUNCE_MS);
  sources.opened[0].sync();
  // Heartbeats keep it alive, however long.
  for (let i = 0; i < 10; i++) {
    vi.advanceTimersByTime(HEARTBEAT);
    sources.opened[0].send("heartbeat", { at: "" });
  }
  expect(sources.opened[0].closed).toBe(false);
  // Then silence (no error reported, as on a dead network).
  vi.advanceTimersByTime(SILENCE - 1);
  expect(sources.opened[0].closed).toBe(false);
  vi.advanceTimersByTime(1);
  expect(sources.opened[0].closed).toBe(true);
  expect(statuses).toEqual(["live", "connecting"]);

  // Each new stream stays silent too: the waits between them double, capped.
  const waits: number[] = [];
  for (let attempt = 0; attempt < 7; attempt++) {
    const before = sources.opened.length;
    let waited = 0;
    while (sources.opened.length === before) {
      vi.advanceTimersByTime(100);
      waited += 100;
    }
    waits.push(waited);
    vi.advanceTimersByTime(SILENCE); // the new stream says nothing either
  }
  expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);

  // A stream that gets through resets the backoff.
  const before = sources.opened.length;
  vi.advanceTimersByTime(MAX_BACKOFF_MS);
  expect(sources.opened.length).toBe(before + 1);
  sources.opened.at(-1)!.sync();
  expect(statuses.at(-1)).toBe("live");
  sources.opened.at(-1)!.fail();
  vi.advanceTimersByTime(INITIAL_BACKOFF_MS);
  expect(sources.opened.length).toBe(before + 2);
});

test("an error closes the stream (EventSource's own retry is not used) and reconnects after the backoff", () => {
  const { live, sources, statuses } = connection();
  live.setTopics(topics("jobs"));
  vi.advanceTimersByTime(DEBOUNCE_MS);
  sources.opened[0].sync();
  sources.opened[0].fail();
  expect(sources.opened[0].closed).toBe(true);
  expect(statuses).toEqual(["live", "connecting"]);
  vi.advanceTimersByTime(INITIAL_BACKOFF_MS - 1);
  expect(sources.opened).toHaveLength(1);
  vi.advanceTimersByTime(1);
  expect(sources.opened).toHaveLength(2);
  sources.opened[1].sync();
  expect(statuses).toEqual(["live", "connecting", "live"]);
});

test("offline closes the stream and says so; online reconnects at once, whatever the backoff", () => {
  const { live, sources, statuses } = connection();
  live.setTopics(topics("jobs"));
  vi.advanceTimersByTime(DEBOUNCE_MS);
  sources.opened[0].sync();
  // Several failures first: the next retry would be far off.
  for (let i = 0; i < 4; i++) {
    sources.live[0]?.fail();
    vi.advanceTimersByTime(MAX_BACKOFF_MS);
  }
  live.offline();
  expect(sources.live).toHaveLength(0);
  expect(statuses.at(-1)).toBe("offline");
  const before = sources.opened.length;
  live.online();
  expect(sources.opened).toHaveLength(before + 1);
  expect(statuses.at(-1)).toBe("connecting");
  sources.opened.at(-1)!.sync();
  expect(statuses.at(-1)).toBe("live");
});

test("a tab coming back into view reconnects at once when the stream is down or stale, and leaves a fresh one alone", () => {
  const { live, sources } = connection();
  live.setTopics(topics("jobs"));
  vi.advanceTimersByTime(DEBOUNCE_MS);
  sources.opened[0].sync();
  vi.advanceTimersByTime(HEARTBEAT);
  sources.opened[0].send("heartbeat", { at: "" });
  live.wake();
  expect(sources.opened).toHaveLength(1);
  // Stale: a heartbeat is overdue (the watchdog would wait a little longer).
  vi.advanceTimersByTime(HEARTBEAT * 1.5 + 1);
  live.wake();
  expect(sources.opened).toHaveLength(2);
  expect(sources.opened[0].closed).toBe(true);
  // Down, waiting out a backoff: at once.
  sources.opened[1].fail();
  live.wake();
  expect(sources.opened).toHaveLength(3);
});

test("new topics reopen the stream soon, dropped ones later; a planned reopen keeps live; no topics, no stream", () => {
  const { live, sources, statuses } = connection();
  live.setTopics(topics("jobs"));
  vi.advanceTimersByTime(DEBOUNCE_MS);
  sources.opened[0].sync();
  live.setTopics(topics("jobs", "job:1"));
  vi.advanceTimersByTime(DEBOUNCE_MS);
  expect(sources.opened).toHaveLength(2);
  expect(sources.opened[0].closed).toBe(true);
  expect(sources.opened[1].topics).toEqual(["job:1", "jobs"]);
  expect(statuses).toEqual(["live"]);

  // Only hidden tabs watch job:1 now, then nobody: the reopen waits longer.
  live.setTopics(
    new Map([
      ["jobs", true],
      ["job:1", false],
    ]),
  );
  vi.advanceTimersByTime(RELAX_MS - 1);
  expect(sources.opened).toHaveLength(2);
  vi.advanceTimersByTime(1);
  expect(sources.opened[2].background).toEqual(["job:1"]);
  // The same set again: nothing to do.
  live.setTopics(
    new Map([
      ["jobs", true],
      ["job:1", false],
    ]),
  );
  vi.advanceTimersByTime(RELAX_MS);
  expect(sources.opened).toHaveLength(3);

  live.setTopics(new Map());
  expect(sources.live).toHaveLength(0);
  vi.advanceTimersByTime(MAX_BACKOFF_MS);
  expect(sources.opened).toHaveLength(3);
});

test("the backoff's jitter keeps each wait within the upper half of its step", () => {
  expect(backoffDelay(0, () => 0)).toBe(500);
  expect(backoffDelay(0, () => 1)).toBe(1_000);
  expect(backoffDelay(3, () => 0.5)).toBe(6_000);
  expect(backoffDelay(40, () => 1)).toBe(MAX_BACKOFF_MS);
});
