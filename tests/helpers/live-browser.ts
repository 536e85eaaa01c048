// Stand-ins for the browser APIs the live connection uses, for its unit tests: an EventSource the
// test drives (the server's events, an error), a BroadcastChannel bus (asynchronous, never to the
// sender, as the real one) and a Web Locks manager (a queue per name, steal, abort, and a tab that
// dies holding the lock). Free of vitest; time is the global timers (the tests fake them).
import type { EventSourceLike } from "~/live/connection";
import type { LiveEvents } from "~/live/protocol";
import type { ChannelLike, LocksLike, TabMessage } from "~/live/tabs";

export class FakeEventSource implements EventSourceLike {
  closed = false;
  private readonly listeners = new Map<string, ((event: MessageEvent) => void)[]>();
  constructor(readonly url: string) {}

  get topics(): string[] {
    return new URL(this.url, "http://kvdeck.test").searchParams.getAll("topic");
  }
  get background(): string[] {
    return new URL(this.url, "http://kvdeck.test").searchParams.getAll("background");
  }
  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
  }
  /** The server sends an event. */
  send<E extends keyof LiveEvents>(event: E, data: LiveEvents[E]) {
    if (this.closed) throw new Error("the test sent on a closed stream");
    for (const listener of this.listeners.get(event) ?? []) listener({ data: JSON.stringify(data) } as MessageEvent);
  }
  /** hello, each topic's state (`states`, else null) and ready: what a fresh stream sends first. */
  sync(states: Record<string, unknown> = {}, heartbeatMs = 5_000) {
    this.send("hello", { heartbeatMs, backgroundMs: 10_000 });
    for (const topic of this.topics) this.send("update", { topic, data: topic in states ? states[topic] : null });
    this.send("ready", {});
  }
  fail() {
    for (const listener of this.listeners.get("error") ?? []) listener({} as MessageEvent);
  }
}

/** Every EventSource opened, in order. */
export function eventSources() {
  const opened: FakeEventSource[] = [];
  return {
    opened,
    open: (url: string) => {
      const source = new FakeEventSource(url);
      opened.push(source);
      return source;
    },
    /** The streams not closed. */
    get live() {
      return opened.filter((s) => !s.closed);
    },
  };
}

/** A BroadcastChannel bus: each tab's channel; a channel's `cut` makes its tab deaf and mute (it froze). */
export class FakeChannelBus {
  private readonly channels = new Set<FakeChannel>();
  channel(): FakeChannel {
    const channel = new FakeChannel(this);
    this.channels.add(channel);
    return channel;
  }
  deliver(from: FakeChannel, message: TabMessage) {
    const copy = structuredClone(message);
    for (const to of this.channels) if (to !== from && !to.cut) queueMicrotask(() => to.receive(copy));
  }
  remove(channel: FakeChannel) {
    this.channels.delete(channel);
  }
}

export class FakeChannel implements ChannelLike {
  cut = false;
  private readonly listeners: ((event: MessageEvent) => void)[] = [];
  constructor(private readonly bus: FakeChannelBus) {}
  postMessage(message: TabMessage) {
    if (!this.cut) this.bus.deliver(this, message);
  }
  addEventListener(_type: "message", listener: (event: MessageEvent) => void) {
    this.listeners.push(listener);
  }
  close() {
    this.bus.remove(this);
  }
  receive(message: TabMessage) {
    if (!this.cut) for (const listener of this.listeners) listener({ data: message } as MessageEvent);
  }
}

interface LockRequest {
  owner: string;
  callback: () => Promise<void>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Web Locks for one lock name at a time, as the browser keeps them: one holder, a queue behind it. */
export class FakeLocks {
  private holder: LockRequest | null = null;
  private readonly queue: LockRequest[] = [];

  /** The locks API as the tab `owner` sees it. */
  forTab(owner: string): LocksLike {
    return {
      request: (_name, options, callback) =>
        new Promise((resolve, reject) => {
          const request: LockRequest = { owner, callback, resolve, reject };
          if (options.steal) {
            const stolen = this.holder;
            this.holder = null;
            stolen?.reject(new DOMException("The lock was stolen", "AbortError"));
            this.grant(request);
            return;
          }
          options.signal?.addEventListener("abort", () => {
            const i = this.queue.indexOf(request);
            if (i < 0) return;
            this.queue.splice(i, 1);
            reject(new DOMException("The request was aborted", "AbortError"));
          });
          this.queue.push(request);
          this.next();
        }),
    };
  }

  get holderTab(): string | null {
    return this.holder?.owner ?? null;
  }

  /** The tab died (crashed, killed): the browser releases what it held and forgets what it waited for. */
  kill(owner: string) {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].owner === owner) this.queue.splice(i, 1);
    if (this.holder?.owner === owner) {
      this.holder = null;
      this.next();
    }
  }

  private next() {
    if (this.holder || this.queue.length === 0) return;
    this.grant(this.queue.shift()!);
  }

  private grant(request: LockRequest) {
    this.holder = request;
    void request.callback().then(
      (value) => {
        if (this.holder !== request) return;
        this.holder = null;
        request.resolve(value);
        this.next();
      },
      (error) => {
        if (this.holder !== request) return;
        this.holder = null;
        request.reject(error);
        this.next();
      },
    );
  }
}
