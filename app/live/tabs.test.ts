// One live connection per browser, on fake timers: tabs over a fake BroadcastChannel bus and fake
// Web Locks, each leader holding a real LiveConnection over a fake EventSource. The leader carries
// the union of the tabs' topics and hands each update to the tabs that watch it; a tab that goes
// away without a word is pruned with its topics; when the leader goes, the next tab takes the lock
// and the stream, and the pages resync; a frozen leader is replaced; without Web Locks each tab has
// its own stream.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { FakeChannelBus, FakeLocks, eventSources } from "../../tests/helpers/live-browser";
import { DEBOUNCE_MS, LiveConnection, RELAX_MS } from "./connection";
import { LEADER_SILENCE_MS, LiveTab, PRUNE_HIDDEN_MS, PRUNE_VISIBLE_MS } from "./tabs";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the fake clock, letting the channel's messages (microtasks) through at each step. */
const pass = (ms: number) => vi.advanceTimersByTimeAsync(ms);

function browser({ webLocks = true } = {}) {
  const bus = new FakeChannelBus();
  const locks = new FakeLocks();
  const sources = eventSources();
  const tabs: LiveTab[] = [];
  const channels = new Map<LiveTab, ReturnType<FakeChannelBus["channel"]>>();
  const open = (id: string, visible = true) => {
    const channel = bus.channel();
    const tab = new LiveTab({
      id,
      locks: webLocks ? locks.forTab(id) : null,
      channel,
      visible,
      connect: (events) => new LiveConnection(events, { open: sources.open, random: () => 1 }),
    });
    tabs.push(tab);
    channels.set(tab, channel);
    return tab;
  };
  /** Opens visible tabs one after the other, each asking for the lock once the one before has: the first leads. */
  const openInLine = async (...ids: string[]) => {
    const opened: LiveTab[] = [];
    for (const id of ids) {
      opened.push(open(id));
      await pass(0);
    }
    return opened;
  };
  /** The tab froze or its process died without a word: it hears and says nothing more. */
  const silence = (tab: LiveTab) => {
    channels.get(tab)!.cut = true;
  };
  return { bus, locks, sources, open, openInLine, silence, tabs };
}

function watch(tab: LiveTab, topic: string) {
  const seen: unknown[] = [];
  const stop = tab.subscribe(topic, (data) => seen.push(data));
  return { seen, stop };
}

test("the leader's one stream carries the union of the tabs' topics, background when only hidden tabs watch one; each update reaches the tabs that watch it", async () => {
  const b = browser();
  const a = b.open("a");
  await pass(0);
  const c = b.open("c", false);
  const d = b.open("d");
  await pass(0);
  expect([a.isLeader, c.isLeader, d.isLeader]).toEqual([true, false, false]);

  const aJob = watch(a, "job:1");
  const cNamespace = watch(c, "namespace:1/x");
  const cJob = watch(c, "job:1");
  const dJobs = watch(d, "jobs");
  await pass(DEBOUNCE_MS);
  expect(b.sources.live).toHaveLength(1);
  const [stream] = b.sources.live;
  expect(stream.topics).toEqual(["job:1", "jobs", "namespace:1/x"]);
  expect(stream.background).toEqual(["namespace:1/x"]);

  stream.sync({ "job:1": { id: "1", n: 1 }, jobs: { jobs: [] }, "namespace:1/x": null });
  await pass(0);
  expect(aJob.seen).toEqual([{ id: "1", n: 1 }]);
  expect(cJob.seen).toEqual([{ id: "1", n: 1 }]);
  expect(dJobs.seen).toEqual([{ jobs: [] }]);
  expect(cNamespace.seen).toEqual([null]);
  expect([a.status, c.status, d.status]).toEqual(["live", "live", "live"]);

  stream.send("update", { topic: "job:1", data: { id: "1", n: 2 } });
  await pass(0);
  expect(cJob.seen.at(-1)).toEqual({ id: "1", n: 2 });
  expect(dJobs.seen).toHaveLength(1);

  // A tab that joins gets its topics' latest state at once, from the leader.
  const e = b.open("e");
  await pass(0);
  const eJob = watch(e, "job:1");
  await pass(0);
  expect(eJob.seen).toEqual([{ id: "1", n: 2 }]);
  expect(b.sources.live).toHaveLength(1);
});

test("a tab that goes away without a word is pruned, and its topics leave the stream; one that says goodbye, at once", async () => {
  const b = browser();
  const a = b.open("a");
  await pass(0);
  const hidden = b.open("hidden", false);
  const shown = b.open("shown");
  await pass(0);
  watch(a, "jobs");
  watch(hidden, "job:hidden");
  watch(shown, "job:shown");
  await pass(DEBOUNCE_MS);
  expect(b.sources.live[0].topics).toEqual(["job:hidden", "job:shown", "jobs"]);

  // The visible one says goodbye (pagehide): its topic goes with the next reopen.
  shown.close();
  await pass(RELAX_MS);
  expect(b.sources.live).toHaveLength(1);
  expect(b.sources.live[0].topics).toEqual(["job:hidden", "jobs"]);

  // The hidden one dies silently: it is kept while a hidden tab's slowed timers could explain the
  // silence, then pruned. (The server's heartbeats keep the stream itself alive meanwhile.)
  b.silence(hidden);
  const heartbeats = async (ms: number) => {
    for (let t = 0; t < ms; t += 1_000) {
      await pass(1_000);
      for (const stream of b.sources.live) stream.send("heartbeat", { at: "" });
    }
  };
  await heartbeats(PRUNE_VISIBLE_MS + 5_000);
  expect(b.sources.live[0].topics).toEqual(["job:hidden", "jobs"]);
  await heartbeats(PRUNE_HIDDEN_MS - PRUNE_VISIBLE_MS + RELAX_MS);
  expect(b.sources.live).toHaveLength(1);
  expect(b.sources.live[0].topics).toEqual(["jobs"]);
});

test("a follower becomes the leader when the lock passes, opens the stream for every tab, and the pages resync", async () => {
  const b = browser();
  const [a, f1, f2] = await b.openInLine("a", "f1", "f2");
  watch(a, "jobs");
  const seen = watch(f2, "job:2");
  watch(f1, "job:1");
  await pass(DEBOUNCE_MS);
  b.sources.live[0].sync();
  await pass(0);
  expect([f1.status, f2.status]).toEqual(["live", "live"]);
  expect([f1.resyncs, f2.resyncs]).toEqual([0, 0]);

  // The leader's tab crashes: its stream dies with it, the browser frees its lock, and f1 (first in line) takes it.
  b.silence(a);
  for (const stream of b.sources.live) stream.close();
  b.locks.kill("a");
  await pass(0);
  expect(b.locks.holderTab).toBe("f1");
  expect(f1.isLeader).toBe(true);
  expect(f2.status).toBe("connecting");
  await pass(DEBOUNCE_MS);
  // The new stream carries the followers' topics.
  const stream = b.sources.opened.at(-1)!;
  expect(stream.topics).toEqual(["job:1", "job:2"]);
  stream.sync({ "job:2": { id: "2" } });
  await pass(0);
  expect(seen.seen.at(-1)).toEqual({ id: "2" });
  // Something may have been missed while nobody led: every page resyncs once.
  expect([f1.status, f2.status]).toEqual(["live", "live"]);
  expect([f1.resyncs, f2.resyncs]).toEqual([1, 1]);

  // And when it closes properly, f2 takes over.
  f1.close();
  await pass(DEBOUNCE_MS);
  expect(f2.isLeader).toBe(true);
  expect(b.sources.live.map((s) => s.topics)).toEqual([["job:2"]]);
});

test("a visible follower takes the lock from a leader that holds it but says nothing (frozen); the old leader follows", async () => {
  const b = browser();
  const [a, f] = await b.openInLine("a", "f");
  watch(f, "jobs");
  await pass(DEBOUNCE_MS);
  const first = b.sources.live[0];
  first.sync();
  await pass(0);
  b.silence(a);
  await pass(LEADER_SILENCE_MS + 5_000);
  expect(f.isLeader).toBe(true);
  expect(a.isLeader).toBe(false);
  expect(first.closed).toBe(true);
  await pass(DEBOUNCE_MS);
  expect(b.sources.live).toHaveLength(1);
  expect(b.sources.live[0].topics).toEqual(["jobs"]);
  // The old leader waits in line again.
  f.close();
  await pass(0);
  expect(b.locks.holderTab).toBe("a");
});

test("without Web Locks (no secure context) each tab holds its own stream", async () => {
  const b = browser({ webLocks: false });
  const one = b.open("one");
  const two = b.open("two");
  watch(one, "jobs");
  watch(two, "jobs");
  await pass(DEBOUNCE_MS);
  expect(b.sources.live).toHaveLength(2);
  expect([one.isLeader, two.isLeader]).toEqual([true, true]);
});

test("a connection back after a drop resyncs the pages once; a reopen for new topics does not", async () => {
  const b = browser();
  const [a, f] = await b.openInLine("a", "f");
  watch(a, "jobs");
  await pass(DEBOUNCE_MS);
  b.sources.live[0].sync();
  await pass(0);
  watch(f, "job:1");
  await pass(DEBOUNCE_MS);
  b.sources.live[0].sync();
  await pass(0);
  expect([a.resyncs, f.resyncs]).toEqual([0, 0]);

  a.offline();
  await pass(0);
  expect(f.status).toBe("offline");
  a.online();
  b.sources.live[0].sync();
  await pass(0);
  expect([a.status, f.status]).toEqual(["live", "live"]);
  expect([a.resyncs, f.resyncs]).toEqual([1, 1]);
});
