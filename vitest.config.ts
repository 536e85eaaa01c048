import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

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
          setupFiles: ["tests/helpers/vitest-setup.ts"],
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
