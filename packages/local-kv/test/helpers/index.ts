// `@kvdeck/local-kv/testing`: what tests of the local KV API, in this package or in a host app,
// start it and talk to it with.
export { type LocalKvTestDatabase, createPostgresDatabase, loadTemplate, openLocalKvTestDatabase } from "./database";
export { type KvClients, type RawOptions, kvClients, rawFailure, sdkFailure } from "./kv-clients";
export { type LocalKv, type StartLocalKvOptions, TEST_ACCOUNT_ID, startLocalKv } from "./local-kv";
