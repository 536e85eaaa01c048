// The Workers KV limits (docs/local-kv-api.md), which the dashboard checks before it sends anything.
// They are the upstream contract, defined once beside the local KV API that enforces them
// (packages/local-kv/src/limits.ts); the app reads them through this module.
export * from "@kvdeck/local-kv/limits";
