import { defineProject } from "vitest/config";

// The local KV API's own tests: the unit tests next to the code and the HTTP tests in test/. The
// repository's `vitest run` runs them as one of its projects (vitest.config.ts at the root), with
// the root's pool and timeouts; `npm test -w @kvdeck/local-kv` runs them alone.
export default defineProject({
  test: {
    name: "local-kv",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    // PGlite costs ~0.5 GB per instance: processes, as at the root.
    pool: "forks",
    // Timeouts only catch a hung test; they are not a speed check (see the root vitest.config.ts).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    setupFiles: ["test/helpers/setup.ts"],
    globalSetup: ["test/helpers/pglite-template.ts"],
  },
});
