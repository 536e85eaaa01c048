// What one tab's components watch of the live topics, however the states reach the tab (its own
// stream as the leader, the channel as a follower: app/live/tabs.ts): each topic's listeners, its
// latest state or why it is refused, the connection's status, and `resyncs`: how many times the
// connection came back (`live`) after it had been down, so pages resync from their loaders then.
import type { LiveStatus } from "./protocol";

export interface TopicRefusal {
  status: number;
  message: string;
}
export type TopicListener = (data: unknown) => void;

export class TabTopics {
  private readonly subscriptions = new Map<string, Set<TopicListener>>();
  private readonly values = new Map<string, unknown>();
  private readonly refusals = new Map<string, TopicRefusal>();
  private readonly statusListeners = new Set<() => void>();
  private currentStatus: LiveStatus = "connecting";
  private wasLive = false;
  private resyncCount = 0;

  /** `changed` runs when a topic gains its first listener or loses its last one. */
  constructor(private readonly changed: () => void) {}

  /** The topics this tab's components watch. */
  get names(): string[] {
    return [...this.subscriptions.keys()];
  }
  get status(): LiveStatus {
    return this.currentStatus;
  }
  get resyncs() {
    return this.resyncCount;
  }

  /** Watches a topic: its latest state at once when this tab has one, then each new one. */
  subscribe(topic: string, listener: TopicListener): () => void {
    let listeners = this.subscriptions.get(topic);
    const added = !listeners;
    if (!listeners) this.subscriptions.set(topic, (listeners = new Set()));
    listeners.add(listener);
    if (this.values.has(topic)) listener(this.values.get(topic));
    if (added) this.changed();
    return () => {
      const current = this.subscriptions.get(topic);
      if (!current?.delete(listener) || current.size > 0) return;
      this.subscriptions.delete(topic);
      this.values.delete(topic);
      this.refusals.delete(topic);
      this.changed();
    };
  }

  refusal(topic: string): TopicRefusal | undefined {
    return this.refusals.get(topic);
  }

  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** A topic's new state, to its listeners (a topic nobody here watches is ignored). */
  deliver(topic: string, data: unknown) {
    const listeners = this.subscriptions.get(topic);
    if (!listeners) return;
    this.values.set(topic, data);
    this.refusals.delete(topic);
    for (const listener of [...listeners]) listener(data);
  }

  /** The server refused a topic: its listeners get `undefined`, and `refusal(topic)` says why. */
  refuse(topic: string, refusal: TopicRefusal) {
    const listeners = this.subscriptions.get(topic);
    if (!listeners) return;
    this.refusals.set(topic, refusal);
    this.values.delete(topic);
    for (const listener of [...listeners]) listener(undefined);
  }

  setStatus(status: LiveStatus) {
    if (status === this.currentStatus) return;
    // The status changes only when it differs: `live` again after `live` means it was down between.
    if (status === "live") {
      if (this.wasLive) this.resyncCount++;
      this.wasLive = true;
    }
    this.currentStatus = status;
    for (const listener of [...this.statusListeners]) listener();
  }
}
