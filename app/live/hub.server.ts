// The process's live topics: one producer per topic, shared by every stream that watches it
// (refcounted: twenty streams on one job are one watcher). A producer starts with the topic's first
// subscriber and stops a little after its last one left (a stream reopened with other topics finds
// it still running). Each subscriber gets the topic's current state at once (or its first, when it
// has none yet), then every change; equal states are not sent twice.
import type { LiveTopic } from "./protocol";

/** Starts producing a topic's states (`emit`); returns the function that stops it. */
export type TopicProducer = (emit: (state: unknown) => void) => () => void;
/** Builds the producer of a topic (app/live/sources.server.ts). */
export type TopicSources = (topic: LiveTopic) => TopicProducer;
export type TopicListener = (state: unknown) => void;

/** How long a producer outlives its last subscriber. */
export const PRODUCER_LINGER_MS = 2_000;

interface Producer {
  current: { state: unknown; json: string } | null;
  listeners: Set<TopicListener>;
  stop: () => void;
  linger: ReturnType<typeof setTimeout> | null;
}

export interface LiveHubOptions {
  heartbeatMs?: number;
  backgroundMs?: number;
  lingerMs?: number;
}

export interface LiveHubStats {
  /** Streams open now. */
  streams: number;
  /** Producers running now, by topic, with their subscribers. */
  producers: Record<string, number>;
  /** How many times a producer was started, by topic, over the hub's life. */
  started: Record<string, number>;
}

export class LiveHub {
  private readonly producers = new Map<string, Producer>();
  private readonly started = new Map<string, number>();
  private readonly streams = new Set<() => void>();
  private closed = false;
  readonly heartbeatMs: number | undefined;
  readonly backgroundMs: number | undefined;
  private readonly lingerMs: number;

  constructor(
    private readonly sources: TopicSources,
    options: LiveHubOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs;
    this.backgroundMs = options.backgroundMs;
    this.lingerMs = options.lingerMs ?? PRODUCER_LINGER_MS;
  }

  /** Listens to a topic (its current state first, when known); returns the function that stops listening. */
  subscribe(name: string, topic: LiveTopic, listener: TopicListener): () => void {
    if (this.closed) return () => {};
    let producer = this.producers.get(name);
    if (!producer) {
      const created: Producer = { current: null, listeners: new Set(), stop: () => {}, linger: null };
      producer = created;
      this.producers.set(name, created);
      this.started.set(name, (this.started.get(name) ?? 0) + 1);
      created.stop = this.sources(topic)((state) => this.publish(created, state));
    }
    if (producer.linger) clearTimeout(producer.linger);
    producer.linger = null;
    producer.listeners.add(listener);
    if (producer.current) listener(producer.current.state);
    const subscribed = producer;
    return () => {
      if (!subscribed.listeners.delete(listener) || subscribed.listeners.size > 0) return;
      subscribed.linger = setTimeout(() => this.retire(name, subscribed), this.lingerMs);
      subscribed.linger.unref?.();
    };
  }

  /** Registers an open stream's close function, run by close(); returns the function that forgets it. */
  track(close: () => void): () => void {
    if (this.closed) {
      close();
      return () => {};
    }
    this.streams.add(close);
    return () => this.streams.delete(close);
  }

  get isClosed() {
    return this.closed;
  }

  stats(): LiveHubStats {
    return {
      streams: this.streams.size,
      producers: Object.fromEntries([...this.producers].map(([name, p]) => [name, p.listeners.size])),
      started: Object.fromEntries(this.started),
    };
  }

  /** Ends every open stream and stops every producer (before the HTTP server and the database close). */
  close() {
    this.closed = true;
    for (const close of [...this.streams]) close();
    this.streams.clear();
    for (const [name, producer] of [...this.producers]) this.retire(name, producer);
  }

  private publish(producer: Producer, state: unknown) {
    if (this.closed) return;
    const json = JSON.stringify(state ?? null);
    if (producer.current?.json === json) return;
    producer.current = { state: state ?? null, json };
    for (const listener of [...producer.listeners]) listener(producer.current.state);
  }

  private retire(name: string, producer: Producer) {
    if (producer.linger) clearTimeout(producer.linger);
    if (this.producers.get(name) !== producer) return;
    this.producers.delete(name);
    producer.stop();
  }
}
