// The live topics in components: a topic's latest state, several topics' states as they come, the
// shared connection's status, and a resync (a loader revalidation) each time the connection comes
// back after a drop. On the server (no LiveTab) nothing arrives and the status is `connecting`.
import { useRevalidator } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { liveTab } from "./browser";
import type { LiveStatus } from "./protocol";
import type { TopicRefusal } from "./tab-topics";

const subscribeStatus = (onChange: () => void) => liveTab()?.onStatus(onChange) ?? (() => {});
const statusNow = (): LiveStatus => liveTab()?.status ?? "connecting";
const serverStatus = (): LiveStatus => "connecting";

/** The shared connection: `live`, `connecting` or `offline`. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeStatus, statusNow, serverStatus);
}

/**
 * Runs `onResync` each time the connection is live again after it was down, while mounted. A tab
 * that is itself still offline (the leader's network came back first) waits for its own `online`:
 * a loader revalidation sent offline fails, and a failed one shows the error page.
 */
export function useLiveResync(onResync: (() => void) | undefined) {
  const latest = useRef(onResync);
  useEffect(() => {
    latest.current = onResync;
  });
  useEffect(() => {
    const tab = liveTab();
    if (!tab) return;
    let seen = tab.resyncs;
    let waiting: (() => void) | null = null;
    const stop = tab.onStatus(() => {
      if (tab.resyncs <= seen) return;
      seen = tab.resyncs;
      if (navigator.onLine) return latest.current?.();
      if (waiting) return;
      waiting = () => {
        waiting = null;
        latest.current?.();
      };
      window.addEventListener("online", waiting, { once: true });
    });
    return () => {
      stop();
      if (waiting) window.removeEventListener("online", waiting);
    };
  }, []);
}

/**
 * A reload of the page's loaders (skipped while one is under way) for a page whose live topics can
 * say its data is out of date; it runs by itself each time the connection comes back after a drop.
 */
export function useLiveReload(): () => void {
  const revalidator = useRevalidator();
  const latest = useRef(revalidator);
  useEffect(() => {
    latest.current = revalidator;
  });
  const reload = useCallback(() => {
    if (latest.current.state === "idle") latest.current.revalidate();
  }, []);
  useLiveResync(reload);
  return reload;
}

/** A topic's latest state (undefined until one came, or while `topic` is null) and why it is refused, if it is. */
export function useLiveTopic<T>(topic: string | null): { data: T | undefined; refused: TopicRefusal | undefined } {
  const [state, setState] = useState<{ topic: string | null; data: T | undefined; refused?: TopicRefusal }>({
    topic: null,
    data: undefined,
  });
  useEffect(() => {
    const tab = liveTab();
    if (!tab || !topic) return;
    return tab.subscribe(topic, (data) => setState({ topic, data: data as T | undefined, refused: tab.refusal(topic) }));
  }, [topic]);
  return state.topic === topic ? { data: state.data, refused: state.refused } : { data: undefined, refused: undefined };
}

/** Calls `onState(topic, state)` with each topic's latest state and every new one, while mounted. */
export function useLiveTopics<T>(topics: readonly string[], onState: (topic: string, state: T) => void) {
  const latest = useRef(onState);
  useEffect(() => {
    latest.current = onState;
  });
  const key = JSON.stringify(topics);
  useEffect(() => {
    const tab = liveTab();
    if (!tab) return;
    const stops = (JSON.parse(key) as string[]).map((topic) =>
      tab.subscribe(topic, (data) => {
        if (data !== undefined) latest.current(topic, data as T);
      }),
    );
    return () => stops.forEach((stop) => stop());
  }, [key]);
}
