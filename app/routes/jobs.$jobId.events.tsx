// Server-sent events: a job's snapshots as it changes (at least one a second while it runs),
// a heartbeat comment so proxies keep the stream open, and `end` once it has finished.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { watchJob } from "~/jobs/api.server";
import { requireJob } from "~/jobs/route-helpers.server";

const HEARTBEAT_MS = 15_000;
const RECONNECT_MS = 2_000;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const job = await requireJob(context, params.jobId);
  const services = getServices(context);
  const encoder = new TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // the client went away
        }
      };
      send(`retry: ${RECONNECT_MS}\n\n`);
      heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
      let sequence = 0;
      try {
        for await (const snapshot of watchJob({ services, jobId: job.id, signal: request.signal })) {
          send(`id: ${++sequence}\nevent: job\ndata: ${JSON.stringify(snapshot)}\n\n`);
        }
        if (!request.signal.aborted) send("event: end\ndata: {}\n\n");
      } finally {
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // already closed
        }
      }
    },
    cancel() {
      clearInterval(heartbeat);
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
