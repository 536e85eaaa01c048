// @kvdeck/local-kv: the Workers KV REST API (docs/local-kv-api.md) over PostgreSQL or PGlite. The app
// mounts createLocalKvApi inside itself; `npm run kv-api` serves it alone with startLocalKvServer.
// The limits it enforces: `@kvdeck/local-kv/limits`; its tables: `@kvdeck/local-kv/schema`.
export { DEFAULT_LOCAL_ACCOUNT_ID, type LocalKvApi, type LocalKvApiOptions, createLocalKvApi } from "./api";
export { LOCAL_KV_MIGRATIONS_TABLE, type LocalKvDb, endPool, migrateLocalKv } from "./database";
export { ErrorCode, KvApiError } from "./errors";
export { DEFAULT_FAULTS, type FaultSettings, Faults, parseFaults, seededRandom } from "./faults";
export { KEEP_ALIVE_MS, keepConnectionsAlive, sendError } from "./http";
export { RateLimit, type RateLimitSpec, describeRateLimit, parseRateLimit } from "./rate-limit";
export { type LocalKvServer, type LocalKvServerOptions, startLocalKvServer } from "./server";
export { LocalKvStore, type StoredNamespace, encodeCursor, newNamespaceId } from "./store";
export { LOCAL_TOKEN_FILE, loadOrCreateLocalToken } from "./token";
