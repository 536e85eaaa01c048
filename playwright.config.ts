import { defineConfig } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "./tests/helpers/chromium";

// Browser journeys run against a production build served by kvdeck's own compiled server
// (build/node/index.js), with a fresh data dir, in Debian's Chromium (Playwright cannot download
// browsers here).
const PORT = Number(process.env.KVDECK_E2E_PORT ?? 3217);
const DATA_DIR = ".cache/e2e-data";
/** Written by tests/e2e/auth.setup.ts: an admin's signed-in browser state, which every spec starts from. */
const ADMIN_STATE = ".cache/e2e-admin.json";

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  // A journey that passes only on a second try is failing: no retries, anywhere.
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: "chromium",
    trace: "retain-on-failure",
    launchOptions: CHROMIUM_LAUNCH,
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "chromium", testMatch: /\.spec\.ts$/, use: { storageState: ADMIN_STATE }, dependencies: ["setup"] },
  ],
  webServer: {
    // The compiled server, as `npm start` runs it (`npm run build` first).
    command: `rm -rf ${DATA_DIR} && exec node build/node/index.js`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "pipe",
    env: {
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      KVDECK_DATA_DIR: DATA_DIR,
      KVDECK_SEED: "demo",
      KVDECK_CONSISTENCY_DELAY_MS: "2000",
      KVDECK_LOCAL_API_TOKEN: "e2e-local-api-token-0123456789",
      KVDECK_ADMIN_PASSWORD: "e2e-admin-password",
      // A window a journey can scroll past in seconds (the default, 200,000 rows, works the same way).
      KVDECK_KEYS_WINDOW_ROWS: "3000",
    },
  },
});
