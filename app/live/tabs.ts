// One live connection per browser, shared by its tabs. The tab that holds the Web Lock LOCK_NAME
// (held for the tab's life; the browser hands it to the next waiting tab when the holder closes or
// crashes) is the leader: it holds the one EventSource (app/live/connection.ts) for the union of
// every tab's topics. The tabs talk over the BroadcastChannel CHANNEL_NAME:
// - each tab announces its topics and whether it is visible, on change and every `announceMs`; the
//   leader forgets a tab it has not heard from in `pruneVisibleMs` (`pruneHiddenMs` for a hidden
//   one: a hidden tab's timers may be slowed to one a minute), or that said `bye`;
// - the leader reopens the stream (debounced) when the union changes, a topic being `visible` when
//   any visible tab watches it, and broadcasts every update and its connection status (also on the
//   stream's heartbeats and every `announceMs`, so the followers know it is alive);
// - a tab that joins gets the latest state of its topics at once (the leader sends them again);
// - a visible follower that hears nothing from a leader for `leaderSilenceMs` (frozen, or its page
//   stuck) steals the lock, and the old leader, losing it, becomes a follower.
// Without Web Locks (no secure context, e.g. plain http on a LAN address) or BroadcastChannel, a
// tab is its own leader with no channel: one connection per tab.
//
// What the tab's own components watch, and the states they get, are its TabTopics
// (app/live/tab-topics.ts). docs/decisions/017-one-live-connection-per-browser.md.
import type { ConnectionEvents, LiveConnectionLike } from "./connection";
import { HEARTBEAT_MS, type LiveStatus, SILENT_HEARTBEATS } from "./protocol";
import { TabTopics, type TopicListener, type TopicRefusal } from "./tab-topics";

export const LOCK_NAME = "kvdeck-live-leader";
export const CHANNEL_NAME = "kvdeck-live";
export const ANNOUNCE_MS = 5_000;
export const PRUNE_VISIBLE_MS = 15_000;
export const PRUNE_HIDDEN_MS = 150_000;
export const LEADER_SILENCE_MS = HEARTBEAT_MS * SILENT_HEARTBEATS;

/** What a tab needs of the Web Locks API (navigator.locks). */
export interface LocksLike {
  request(name: string, options: { steal?: boolean; signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}
/** What a tab needs of a BroadcastChannel. */
export interface ChannelLike {
  postMessage(message: TabMessage): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type TabMessage =
  | { type: "topics"; tab: string; topics: string[]; visible: boolean }
  | { type: "bye"; tab: string }
  | { type: "hello"; tab: string }
  | { type: "update"; topic: string; data: unknown }
  | { type: "refused"; topic: string; status: number; message: string }
  | { type: "status"; tab: string; status: LiveStatus };

export interface LiveTabOptions {
  id?: string;
  /** Null without Web Locks: the tab holds its own connection. */
  locks: LocksLike | null;
  /** Null without BroadcastChannel: the tab holds its own connection. */
  channel: ChannelLike | null;
  /** Opens the leader's connection. */
  connect: (events: ConnectionEvents) => LiveConnectionLike;
  visible: boolean;
  announceMs?: number;
  pruneVisibleMs?: number;
  pruneHiddenMs?: number;
  leaderSilenceMs?: number;
  now?: () => number;
}

interface KnownTab {
  topics: string[];
  visible: boolean;
  seenAt: number;
}

export class LiveTab {
  readonly id: string;
  private readonly shared: boolean;
  private closed = false;
  private visible: boolean;
  private readonly now: () => number;
  private readonly announceMs: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private announceQueued = false;
  /** What this tab's components watch. */
  private readonly own = new TabTopics(() => this.topicsChanged());

  // The leader's.
  private connection: LiveConnectionLike | null = null;
  private readonly tabs = new Map<string, KnownTab>();
  private readonly union = new Map<string, boolean>();
  private readonly unionValues = new Map<string, unknown>();
  private lastBeaconAt = 0;

  // The lock.
  private lockAttempt = 0;
  private lockWait: AbortController | null = null;
  private releaseLock: (() => void) | null = null;
  private leaderSeenAt: number;

  constructor(private readonly options: LiveTabOptions) {
    this.id = options.id ?? Math.random().toString(36).slice(2);
    this.visible = options.visible;
    this.now = options.now ?? Date.now;
    this.announceMs = options.announceMs ?? ANNOUNCE_MS;
    this.leaderSeenAt = this.now();
    this.shared = Boolean(options.locks && options.channel);
    this.timer = setInterval(() => this.tick(), this.announceMs);
    if (!this.shared) {
      this.becomeLeader();
      return;
    }
    options.channel!.addEventListener("message", (event) => this.receive(event.data as TabMessage));
    this.requestLock(false);
  }

  /** The leader is the tab that holds the connection. */
  get isLeader() {
    return this.connection !== null;
  }
  get status(): LiveStatus {
    return this.own.status;
  }
  /** How many times the connection came back after being down (pages resync from their loaders). */
  get resyncs() {
    return this.own.resyncs;
  }

  /** Watches a topic: its latest state at once when this tab has one, then each new one. */
  subscribe(topic: string, listener: TopicListener): () => void {
    return this.own.subscribe(topic, listener);
  }

  refusal(topic: string): TopicRefusal | undefined {
    return this.own.refusal(topic);
  }

  /** Listens to status changes (read `status` and `resyncs`); returns the function that stops listening. */
  onStatus(listener: () => void): () => void {
    return this.own.onStatus(listener);
  }

  setVisible(visible: boolean) {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) this.connection?.wake();
    this.topicsChanged();
  }

  online() {
    this.connection?.online();
  }

  offline() {
    this.connection?.offline();
  }

  /** The tab goes away: says so, hands the lock on, closes its connection. */
  close() {
    if (this.closed) return;
    this.post({ type: "bye", tab: this.id });
    this.closed = true;
    clearInterval(this.timer);
    this.connection?.close();
    this.connection = null;
    this.lockWait?.abort();
    this.releaseLock?.();
    this.options.channel?.close();
  }

  // ---- leadership ------------------------------------------------------------------------------

  private requestLock(steal: boolean) {
    const locks = this.options.locks!;
    const attempt = ++this.lockAttempt;
    this.lockWait?.abort();
    const wait = steal ? null : new AbortController();
    this.lockWait = wait;
    locks
      .request(
        LOCK_NAME,
        steal ? { steal: true } : { signal: wait!.signal },
        () =>
          new Promise<void>((release) => {
            if (this.closed || attempt !== this.lockAttempt) return release();
            this.releaseLock = release;
            this.becomeLeader();
          }),
      )
      .catch(() => {
        // Either this wait was given up for a newer request (nothing to do), or the lock was
        // stolen from this tab: it follows now, and waits for the lock again.
        if (this.closed || attempt !== this.lockAttempt) return;
        this.releaseLock = null;
        this.becomeFollower();
        this.requestLock(false);
      });
  }

  private becomeLeader() {
    if (this.closed) return;
    this.tabs.clear();
    this.connection = this.options.connect({
      update: (topic, data) => {
        if (this.union.has(topic)) this.unionValues.set(topic, data);
        this.post({ type: "update", topic, data });
        this.own.deliver(topic, data);
      },
      refused: (topic, status, message) => {
        this.post({ type: "refused", topic, status, message });
        this.own.refuse(topic, { status, message });
      },
      status: (status) => {
        this.own.setStatus(status);
        this.beacon();
      },
      alive: () => {
        if (this.now() - this.lastBeaconAt >= this.announceMs / 2) this.beacon();
      },
    });
    // The followers' pages may have missed something while no tab led: this is a drop for them.
    this.own.setStatus("connecting");
    this.beacon();
    this.post({ type: "hello", tab: this.id });
    this.updateUnion();
  }

  private becomeFollower() {
    this.connection?.close();
    this.connection = null;
    this.tabs.clear();
    this.union.clear();
    this.unionValues.clear();
    this.leaderSeenAt = this.now();
    this.own.setStatus("connecting");
    this.announce();
  }

  private beacon() {
    this.lastBeaconAt = this.now();
    this.post({ type: "status", tab: this.id, status: this.own.status });
  }

  /** The union of every known tab's topics (visible when a visible tab watches it), to the connection. */
  private updateUnion() {
    if (!this.connection) return;
    this.tabs.set(this.id, { topics: this.own.names, visible: this.visible, seenAt: this.now() });
    const union = new Map<string, boolean>();
    for (const tab of this.tabs.values()) for (const topic of tab.topics) union.set(topic, Boolean(union.get(topic)) || tab.visible);
    this.union.clear();
    for (const [topic, visible] of union) this.union.set(topic, visible);
    for (const topic of [...this.unionValues.keys()]) if (!union.has(topic)) this.unionValues.delete(topic);
    this.connection.setTopics(union);
  }

  // ---- messages --------------------------------------------------------------------------------

  private post(message: TabMessage) {
    if (this.shared && !this.closed) this.options.channel!.postMessage(message);
  }

  private receive(message: TabMessage) {
    if (this.closed) return;
    switch (message.type) {
      case "topics": {
        if (!this.isLeader) return;
        const before = this.tabs.get(message.tab);
        this.tabs.set(message.tab, { topics: message.topics, visible: message.visible, seenAt: this.now() });
        // What a tab just asked for and the leader already has, it gets at once.
        for (const topic of message.topics) {
          if (!before?.topics.includes(topic) && this.unionValues.has(topic))
            this.post({ type: "update", topic, data: this.unionValues.get(topic) });
        }
        if (!before) this.beacon();
        if (message.visible && !before?.visible) this.connection?.wake();
        this.updateUnion();
        return;
      }
      case "bye":
        if (this.isLeader && this.tabs.delete(message.tab)) this.updateUnion();
        return;
      case "hello":
        if (!this.isLeader) {
          this.leaderSeenAt = this.now();
          this.announce();
        }
        return;
      case "status":
        if (this.isLeader) return;
        this.leaderSeenAt = this.now();
        this.own.setStatus(message.status);
        return;
      case "update":
        if (!this.isLeader) this.own.deliver(message.topic, message.data);
        return;
      case "refused":
        if (!this.isLeader) this.own.refuse(message.topic, { status: message.status, message: message.message });
        return;
    }
  }

  /** This tab's topics changed (or its visibility): tell the leader (or be told, as the leader), once per task. */
  private topicsChanged() {
    if (this.announceQueued || this.closed) return;
    this.announceQueued = true;
    queueMicrotask(() => {
      this.announceQueued = false;
      if (this.closed) return;
      if (this.isLeader) this.updateUnion();
      else this.announce();
    });
  }

  private announce() {
    this.post({ type: "topics", tab: this.id, topics: this.own.names, visible: this.visible });
  }

  private tick() {
    if (this.closed) return;
    const now = this.now();
    if (this.isLeader) {
      this.beacon();
      let pruned = false;
      for (const [tab, known] of this.tabs) {
        if (tab === this.id) continue;
        const limit = known.visible ? (this.options.pruneVisibleMs ?? PRUNE_VISIBLE_MS) : (this.options.pruneHiddenMs ?? PRUNE_HIDDEN_MS);
        if (now - known.seenAt > limit && this.tabs.delete(tab)) pruned = true;
      }
      if (pruned) this.updateUnion();
      return;
    }
    this.announce();
    if (now - this.leaderSeenAt > (this.options.leaderSilenceMs ?? LEADER_SILENCE_MS)) {
      this.own.setStatus("connecting");
      // A leader that holds the lock but says nothing (frozen): a visible tab takes over.
      if (this.visible) {
        this.leaderSeenAt = now;
        this.requestLock(true);
      }
    }
  }
}
