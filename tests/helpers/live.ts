// The /live route's stream, read the way a browser's EventSource reads it: the route's own loader
// with a load context of real services (a LiveHub over them), its body parsed into events. A test
// waits for the events it needs (next/until), never for time.
import type { AppLoadContext } from "@remix-run/node";
import type { SessionUser } from "~/auth/roles";
import type { LiveHub } from "~/live/hub.server";
import type { LiveEventName, LiveEvents } from "~/live/protocol";
import { loader } from "~/routes/live";

export type LiveEvent = { [E in LiveEventName]: { event: E; data: LiveEvents[E] } }[LiveEventName];

export interface LiveReader {
  /** Every event read so far, in order. */
  events: LiveEvent[];
  /** The first event (from the start of the stream) that `match` accepts, waiting for it if need be. */
  until<E extends LiveEvent>(match: (event: LiveEvent) => event is E): Promise<E>;
  until(match: (event: LiveEvent) => boolean): Promise<LiveEvent>;
  /** The updates of one topic read so far. */
  updates<T>(topic: string): T[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** The browser goes away. */
  close(): void;
}

export interface LiveContext {
  services: object;
  live: LiveHub;
  user: SessionUser | null;
}

/** The URL's query for `topics` (the background ones marked as a browser with only hidden tabs on them marks them). */
export function liveQuery(topics: string[], background: string[] = []): string {
  const query = new URLSearchParams();
  for (const topic of topics) query.append("topic", topic);
  for (const topic of background) query.append("background", topic);
  return query.toString();
}

/** Calls the /live loader; a refusal of the whole request (401, 400) is returned as the thrown or answered Response. */
export async function requestLive(context: LiveContext, query: string, signal?: AbortSignal): Promise<Response> {
  const load = { services: { ...context.services, live: context.live }, user: context.user } as unknown as AppLoadContext;
  try {
    return await loader({ request: new Request(`http://kvdeck.test/live?${query}`, { signal }), params: {}, context: load });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export async function openLive(context: LiveContext, topics: string[], background: string[] = []): Promise<LiveReader> {
  const abort = new AbortController();
  const response = await requestLive(context, liveQuery(topics, background), abort.signal);
  if (response.status !== 200 || !response.body) throw new Error(`/live answered ${response.status}: ${await response.text()}`);
  if (!response.headers.get("Content-Type")?.startsWith("text/event-stream")) throw new Error("/live is not an event stream");

  const events: LiveEvent[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += value;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
          );
          if (fields.event) events.push({ event: fields.event, data: JSON.parse(fields.data) } as LiveEvent);
        }
        for (const wake of [...waiters]) wake();
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      for (const wake of [...waiters]) wake();
    }
  })();

  const until = (match: (event: LiveEvent) => boolean) =>
    new Promise<LiveEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(match);
        if (found) {
          waiters.delete(check);
          resolve(found);
        } else if (done) {
          waiters.delete(check);
          reject(new Error(`the stream ended without the event; it sent: ${events.map((e) => e.event).join(", ")}`));
        }
      };
      waiters.add(check);
      check();
    });

  return {
    events,
    until: until as LiveReader["until"],
    updates: <T>(topic: string) => events.flatMap((e) => (e.event === "update" && e.data.topic === topic ? [e.data.data as T] : [])),
    ended,
    close: () => abort.abort(),
  };
}
