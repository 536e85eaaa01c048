// Everything the Node shell (server/*.ts: `npm start`, `npm run worker`, `npm run seed`, `npm run kv-api`)
// takes from the app, re-exported by app/entry.server.tsx so that the shell reaches it as
// `build.entry.module` of the Remix server build and never imports an app module itself: one
// module graph per process (docs/decisions/012-composition-root-and-compiled-server.md).
export { loadOrCreateLocalToken } from "@kvdeck/local-kv";
export { openDatabase } from "~/db/client.server";
export { DataDirLockedError } from "~/db/data-dir-lock.server";
export { createHttpUpstream } from "~/kv/cloudflare.server";
export { BULK_MAX_KEYS } from "~/kv/limits";
export { createServices, reachableHost, type Services } from "~/services.server";
export { parseEnv, type Env } from "~/utils/env.server";
export { createHttpHandlers } from "./http-handlers.server";
