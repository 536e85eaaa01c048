// This tab's LiveTab (app/live/tabs.ts) over the browser's own APIs: Web Locks and BroadcastChannel
// when both exist (one connection per browser), EventSource, and the page's visibility, network and
// lifecycle events. Created on first use, in the browser only.
import { LiveConnection } from "./connection";
import { CHANNEL_NAME, type ChannelLike, LiveTab, type LocksLike } from "./tabs";

let tab: LiveTab | null = null;

/** This tab's live topics and connection status; null while rendering on the server. */
export function liveTab(): LiveTab | null {
  if (typeof window === "undefined") return null;
  tab ??= createBrowserLiveTab();
  return tab;
}

function createBrowserLiveTab(): LiveTab {
  // navigator.locks exists only in a secure context (https, or http on localhost/127.0.0.1).
  const locks = (navigator.locks as LocksLike | undefined) ?? null;
  const channel = locks && typeof BroadcastChannel === "function" ? (new BroadcastChannel(CHANNEL_NAME) as ChannelLike) : null;
  const visible = () => document.visibilityState === "visible";
  const live = new LiveTab({
    locks,
    channel,
    visible: visible(),
    connect: (events) => new LiveConnection(events, { open: (url) => new EventSource(url) }),
  });
  document.addEventListener("visibilitychange", () => live.setVisible(visible()));
  window.addEventListener("online", () => live.online());
  window.addEventListener("offline", () => live.offline());
  window.addEventListener("pagehide", () => live.close());
  // A page restored from the back-forward cache had its live state closed when it was hidden.
  window.addEventListener("pageshow", (event) => event.persisted && window.location.reload());
  return live;
}
