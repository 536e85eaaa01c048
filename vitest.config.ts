import { configDefaults, defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

/**
 * Files that never reach the test database (tests/helpers/db.ts): they serve the build or start
 * processes on PGlite data dirs of their own. .ci/run's PostgreSQL pass (KVDECK_TEST_DATABASE_URL)
 * leaves them out, as they would only run the same again.
 */
const PGLITE_DATA_DIR_ONLY = [
  "app/db/data-dir-lock.server.test.ts",
  "app/services.server.test.ts",
  "server/shutdown.test.ts",
  "tests/integration/auth-routes-roles.test.ts",
  "tests/integration/auth-routes-sessions.test.ts",
  "tests/integration/compiled-server.test.ts",
  "tests/integration/data-dir-lock.test.ts",
  "tests/integration/local-kv-main.test.ts",
  "tests/integration/malformed-requests.test.ts",
  "tests/integration/upstream-redaction.test.ts",
];

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    // Two projects: kvdeck itself, and the local KV API package (packages/local-kv/vitest.config.ts,
    // its own tests on its own database helper). `vitest run` runs both; a path filter picks files
    // from either.
    projects: [
      {
        extends: true,
        test: {
          name: "kvdeck",
          include: ["app/**/*.test.{ts,tsx}", "server/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/helpers/*.test.ts"],
          // The one console.error guard, the package's; kvdeck's own addition is the migrated PGlite template.
          exclude: [...configDefaults.exclude, ...(process.env.KVDECK_TEST_DATABASE_URL ? PGLITE_DATA_DIR_ONLY : [])],
          setupFiles: ["packages/local-kv/test/helpers/setup.ts"],
          globalSetup: ["tests/helpers/pglite-template.ts"],
        },
      },
      "packages/local-kv",
    ],
    environment: "node",
    // PGlite costs ~0.5 GB per instance and the machine has 2 cores.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Timeouts only catch a hung test; they are not a speed check. A loaded 2-core machine running
    // every file in 2 forks (PGlite, child processes, 100k-key jobs) is several times slower than
    // an idle one, so they are generous: a test waits on the state it needs, never on the clock.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // The standard summary (files, tests, duration) is the last thing a run prints, in CI too.
    reporters: ["default"],
  },
});
