// The one live connection of a browser (server-sent events): the topics it asks for, each checked
// against the signed-in user's access, multiplexed on one stream. The protocol: app/live/protocol.ts;
// the stream: app/live/stream.server.ts; docs/decisions/017-one-live-connection-per-browser.md.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { getServices } from "~/context.server";
import { getLiveHub } from "~/live/context.server";
import { liveResponse } from "~/live/stream.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(context);
  return liveResponse({ request, hub: getLiveHub(context), services: getServices(context) });
}
