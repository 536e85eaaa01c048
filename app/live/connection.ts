// The one EventSource of a browser (held by the leader tab, app/live/tabs.ts), and the rules that
// keep it healing:
// - a watchdog: every event (heartbeats included) re-arms it; a stream silent for SILENT_HEARTBEATS
//   heartbeats is closed and opened again (a stream that went silent reports no error);
// - an error closes the stream (EventSource's own retries would not back off) and reconnects after
//   a backoff that doubles from `initialMs` up to `maxMs`, with jitter, reset once a stream is `ready`;
// - `online()` reconnects at once; `offline()` closes and says so; `wake()` (a tab became visible)
//   reconnects at once when the stream is down or stale;
// - `setTopics()` reopens the stream for the new set, debounced (sooner for topics added or made
//   visible than for topics dropped or gone to the background); a planned reopen keeps `live`.
// Time comes from the global timers and `now`, so tests drive it with fake timers.
import { HEARTBEAT_MS, type LiveEvents, type LiveStatus, SILENT_HEARTBEATS, liveUrl } from "./protocol";

/** What the connection needs of an EventSource. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}
export type EventSourceFactory = (url: string) => EventSourceLike;

export interface ConnectionEvents {
  update(topic: string, data: unknown): void;
  refused(topic: string, status: number, message: string): void;
  status(status: LiveStatus): void;
  /** Any event of the stream, heartbeats included: the connection is alive. */
  alive?(): void;
}

export interface ConnectionOptions {
  open: EventSourceFactory;
  /** Until the server's `hello` says otherwise. */
  heartbeatMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** 0..1; the backoff's jitter (`Math.random` unless given). */
  random?: () => number;
  /** The delay before a reopen that adds topics or makes one visible. */
  debounceMs?: number;
  /** The delay before a reopen that only drops topics or sends them to the background. */
  relaxMs?: number;
  now?: () => number;
}

export const INITIAL_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 30_000;
export const DEBOUNCE_MS = 250;
export const RELAX_MS = 3_000;

/** The delay before reconnect attempt `attempt` (0-based): doubling, capped, the upper half jittered. */
export function backoffDelay(attempt: number, random: () => number, initialMs = INITIAL_BACKOFF_MS, maxMs = MAX_BACKOFF_MS) {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (base / 2) * random());
}

export interface LiveConnectionLike {
  setTopics(topics: ReadonlyMap<string, boolean>): void;
  online(): void;
  offline(): void;
  wake(): void;
  close(): void;
}

export class LiveConnection implements LiveConnectionLike {
  private topics = new Map<string, boolean>();
  private source: EventSourceLike | null = null;
  private status: LiveStatus = "connecting";
  private attempt = 0;
  private heartbeatMs: number;
  private lastEventAt = 0;
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private reopen: { timer: ReturnType<typeof setTimeout>; at: number } | null = null;
  private closed = false;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly events: ConnectionEvents,
    private readonly options: ConnectionOptions,
  ) {
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  get silenceMs() {
    return this.heartbeatMs * SILENT_HEARTBEATS;
  }

  /** The topics to carry, each `true` when a visible tab watches it. */
  setTopics(topics: ReadonlyMap<string, boolean>) {
    if (this.closed) return;
    const next = new Map(topics);
    const grows = [...next].some(([topic, visible]) => !this.topics.has(topic) || (visible && !this.topics.get(topic)));
    const same = next.size === this.topics.size && [...next].every(([topic, visible]) => this.topics.get(topic) === visible);
    this.topics = next;
    if (same) return;
    if (next.size === 0) {
      this.cancelReopen();
      this.closeSource();
      return;
    }
    // Down (waiting to retry): the retry takes the new topics.
    if (this.retry) return;
    const delay = grows ? (this.options.debounceMs ?? DEBOUNCE_MS) : (this.options.relaxMs ?? RELAX_MS);
    const at = this.now() + delay;
    if (this.reopen && this.reopen.at <= at) return;
    this.cancelReopen();
    this.reopen = { timer: setTimeout(() => ((this.reopen = null), this.connect()), delay), at };
  }

  online() {
    if (this.closed) return;
    this.attempt = 0;
    if (this.status === "offline") this.setStatus("connecting");
    this.connect();
  }

  offline() {
    if (this.closed) return;
    this.closeSource();
    this.setStatus("offline");
    this.scheduleRetry();
  }

  wake() {
    if (this.closed || this.topics.size === 0) return;
    const stale = this.now() - this.lastEventAt > this.heartbeatMs * 1.5;
    if (this.retry || !this.source || (this.status === "live" && stale)) {
      this.attempt = 0;
      this.connect();
    }
  }

  close() {
    this.closed = true;
    this.cancelReopen();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.closeSource();
  }

  /** Opens a stream for the current topics now (closing the one open, if any). */
  private connect() {
    this.cancelReopen();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.closeSource();
    if (this.closed || this.topics.size === 0) return;
    const source = this.options.open(liveUrl(this.topics));
    this.source = source;
    this.lastEventAt = this.now();
    this.armWatchdog();
    const on = <E extends keyof LiveEvents>(name: E, handle: (data: LiveEvents[E]) => void) =>
      source.addEventListener(name, (event) => {
        if (source !== this.source) return;
        this.lastEventAt = this.now();
        this.armWatchdog();
        this.events.alive?.();
        handle(JSON.parse(String(event.data)) as LiveEvents[E]);
      });
    on("hello", (hello) => {
      if (hello.heartbeatMs > 0) this.heartbeatMs = hello.heartbeatMs;
      this.armWatchdog();
    });
    on("update", ({ topic, data }) => this.events.update(topic, data));
    on("refused", ({ topic, status, message }) => this.events.refused(topic, status, message));
    on("ready", () => {
      this.attempt = 0;
      this.setStatus("live");
    });
    on("heartbeat", () => {});
    source.addEventListener("error", () => {
      if (source === this.source) this.drop();
    });
  }

  /** The stream failed or went silent: close it, say so, and try again after the backoff. */
  private drop() {
    this.closeSource();
    if (this.status !== "offline") this.setStatus("connecting");
    this.scheduleRetry();
  }

  private scheduleRetry() {
    if (this.retry) clearTimeout(this.retry);
    this.cancelReopen();
    const delay = backoffDelay(this.attempt++, this.random, this.options.initialBackoffMs, this.options.maxBackoffMs);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, delay);
  }

  private armWatchdog() {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      if (this.source) this.drop();
    }, this.silenceMs);
  }

  private closeSource() {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    this.source?.close();
    this.source = null;
  }

  private cancelReopen() {
    if (this.reopen) clearTimeout(this.reopen.timer);
    this.reopen = null;
  }

  private setStatus(status: LiveStatus) {
    if (status === this.status) return;
    this.status = status;
    this.events.status(status);
  }
}
