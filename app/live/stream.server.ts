// One browser's live stream (GET /live?topic=…&background=…): each topic checked, then `hello`, each
// topic's current state (or why it is refused), `ready`, then updates as topics change and a
// `heartbeat` event every few seconds (an event, not a comment: a comment never reaches
// EventSource's JavaScript, and the client's watchdog needs to see the stream is alive). The stream
// ends when the browser goes away or the hub closes (the process shuts down).
import type { AppServices } from "~/context.server";
import { type Delivery, coalescedDelivery, immediateDelivery } from "./delivery.server";
import type { LiveHub } from "./hub.server";
import { BACKGROUND_INTERVAL_MS, HEARTBEAT_MS, type LiveEventName, type LiveEvents, MAX_TOPICS } from "./protocol";
import { checkTopic } from "./topics.server";

const HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

export async function liveResponse({
  request,
  hub,
  services,
}: {
  request: Request;
  hub: LiveHub;
  services: Pick<AppServices, "jobs" | "connections">;
}): Promise<Response> {
  const url = new URL(request.url);
  const names = [...new Set(url.searchParams.getAll("topic"))];
  // A stream with nothing to watch would stay open with heartbeats alone: the client never asks for one.
  if (names.length === 0 || names.length > MAX_TOPICS) {
    return Response.json(
      { message: names.length === 0 ? "Ask for at least one topic (topic=…)." : `A live stream carries at most ${MAX_TOPICS} topics.` },
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }
  const background = new Set(url.searchParams.getAll("background"));
  const checks = await Promise.all(names.map(async (name) => ({ name, check: await checkTopic(services, name) })));
  const heartbeatMs = hub.heartbeatMs ?? HEARTBEAT_MS;
  const backgroundMs = hub.backgroundMs ?? BACKGROUND_INTERVAL_MS;
  const encoder = new TextEncoder();
  let end = () => {};

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      /** What end() stops: the subscriptions and the heartbeat. */
      const stops: (() => void)[] = [];
      const deliveries: Delivery[] = [];
      let forget = () => {};
      end = () => {
        if (!open) return;
        open = false;
        for (const stop of stops) stop();
        for (const delivery of deliveries) delivery.stop();
        request.signal.removeEventListener("abort", end);
        forget();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      const write = <E extends LiveEventName>(event: E, data: LiveEvents[E]) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          end(); // the browser went away
        }
      };
      if (request.signal.aborted || hub.isClosed) return end();
      request.signal.addEventListener("abort", end);
      forget = hub.track(end);

      write("hello", { heartbeatMs, backgroundMs });
      const waiting = new Set(names);
      const arrived = (name: string) => {
        if (waiting.delete(name) && waiting.size === 0) write("ready", {});
      };
      for (const { name, check } of checks) {
        if (!open) return; // the browser left while the first states were written
        if (!check.ok) {
          write("refused", { topic: name, ...check.refusal });
          arrived(name);
          continue;
        }
        const send = (data: unknown) => {
          write("update", { topic: name, data });
          arrived(name);
        };
        const delivery = background.has(name) ? coalescedDelivery(send, backgroundMs) : immediateDelivery(send);
        deliveries.push(delivery);
        stops.push(hub.subscribe(name, check.topic, (state) => delivery.push(state)));
      }
      if (!open) return; // the browser left while the first states were written
      const heartbeat = setInterval(() => write("heartbeat", { at: new Date().toISOString() }), heartbeatMs);
      stops.push(() => clearInterval(heartbeat));
    },
    cancel() {
      end();
    },
  });
  return new Response(body, { headers: HEADERS });
}
