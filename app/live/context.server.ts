// The process's live hub, as loaders reach it: createServices (app/services.server.ts) builds one
// per process and hands it to Remix with the other services.
import type { AppLoadContext } from "@remix-run/node";
import { getServices } from "~/context.server";
import { LiveHub } from "./hub.server";
import { liveSources } from "./sources.server";

export function getLiveHub(context: AppLoadContext): LiveHub {
  const { live } = getServices(context) as { live?: LiveHub };
  if (!(live instanceof LiveHub)) throw new Error("kvdeck: the server did not provide its live hub to Remix");
  return live;
}

/** The hub over the process's jobs, connections and cache (its producers in app/live/sources.server.ts). */
export function createLiveHub(
  services: Parameters<typeof liveSources>[0],
  options: ConstructorParameters<typeof LiveHub>[1] & { log?: (line: string) => void } = {},
): LiveHub {
  return new LiveHub(liveSources(services, options.log), options);
}
