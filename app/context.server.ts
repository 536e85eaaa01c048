// What every loader and action gets from the server: the process's services.
import type { AppLoadContext } from "@remix-run/node";
import type { ResourceCache } from "~/cache/resource-cache.server";
import type { Database } from "~/db/client.server";
import type { ConnectionRegistry } from "~/kv/connections.server";
import type { Env } from "~/utils/env.server";

export interface AppServices {
  env: Env;
  database: Database;
  connections: ConnectionRegistry;
  cache: ResourceCache;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: AppServices;
  }
}

export function getServices(context: AppLoadContext): AppServices {
  if (!context?.services) throw new Error("kvdeck: the server did not provide its services to Remix");
  return context.services;
}
