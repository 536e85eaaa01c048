// What every loader and action gets from the server: the process's services (built once per process
// by createServices, app/services.server.ts).
import type { AppLoadContext } from "@remix-run/node";
import type { RequestAuth } from "~/auth/request.server";
import type { SessionUser } from "~/auth/roles";
import type { ResourceCache } from "~/cache/resource-cache.server";
import type { Database } from "~/db/client.server";
import type { JobsService } from "~/jobs/service.server";
import type { ConnectionRegistry } from "~/kv/connections.server";
import type { RecycleStore } from "~/recycle/store.server";
import type { Env } from "~/utils/env.server";

export interface AppServices {
  env: Env;
  database: Database;
  connections: ConnectionRegistry;
  cache: ResourceCache;
  /** Durable jobs: store, progress events, the in-process runner (app/jobs, docs/jobs.md). */
  jobs: JobsService;
  /** The copies kept of deleted keys (app/recycle). */
  recycle: RecycleStore;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: AppServices;
    /** The signed-in user (app/server/auth-middleware.server.ts); null only on public routes. */
    user: SessionUser | null;
    /** This request's CSP nonce for inline scripts (app/server/security-headers.server.ts). */
    cspNonce?: string;
    /** Sessions, throttling and the client's address (app/server/auth-middleware.server.ts). */
    auth?: RequestAuth;
  }
}

export function getServices(context: AppLoadContext): AppServices {
  if (!context?.services) throw new Error("kvdeck: the server did not provide its services to Remix");
  return context.services;
}
