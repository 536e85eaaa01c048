import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["app/**/*.test.{ts,tsx}", "server/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/helpers/*.test.ts"],
    environment: "node",
    // PGlite costs ~0.5 GB per instance and the machine has 2 cores.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: ["tests/helpers/vitest-setup.ts"],
    // The standard summary (files, tests, duration) is the last thing a run prints, in CI too.
    reporters: ["default"],
  },
});
