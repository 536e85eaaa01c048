// A topic producer that reads its state every `intervalMs` (the job row is the truth, whichever
// process writes it) and sooner when this process hears of a change (`wakeOn`): one read at a time,
// a wake-up never closer than `minGapMs` to the previous read, nothing read once stopped.
import type { TopicProducer } from "./hub.server";

export interface PollingOptions<T> {
  read: () => Promise<T>;
  intervalMs: number;
  /** Subscribes `wake` to in-process changes; returns the function that unsubscribes. */
  wakeOn?: (wake: () => void) => () => void;
  /** The least time between two reads when woken (in-process events can come many times a second). */
  minGapMs?: number;
  /** A read that failed (e.g. the database is closing): logged; the next interval tries again. */
  onError?: (error: unknown) => void;
}

export function pollingProducer<T>(options: PollingOptions<T>): TopicProducer {
  const { read, intervalMs, minGapMs = 200 } = options;
  return (emit) => {
    let stopped = false;
    let reading = false;
    let wokenWhileReading = false;
    let lastReadAt = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let dueAt = Infinity;

    const schedule = (delayMs: number) => {
      if (stopped) return;
      const at = Date.now() + delayMs;
      if (timer && at >= dueAt) return;
      if (timer) clearTimeout(timer);
      dueAt = at;
      timer = setTimeout(run, delayMs);
      timer.unref?.();
    };
    const run = async () => {
      timer = null;
      dueAt = Infinity;
      if (stopped) return;
      reading = true;
      lastReadAt = Date.now();
      try {
        const state = await read();
        if (!stopped) emit(state);
      } catch (error) {
        if (!stopped) options.onError?.(error);
      } finally {
        reading = false;
      }
      if (wokenWhileReading) {
        wokenWhileReading = false;
        schedule(minGapMs);
      } else schedule(intervalMs);
    };
    const wake = () => {
      if (reading) wokenWhileReading = true;
      else schedule(Math.max(0, lastReadAt + minGapMs - Date.now()));
    };

    const unsubscribe = options.wakeOn?.(wake);
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe?.();
    };
  };
}
