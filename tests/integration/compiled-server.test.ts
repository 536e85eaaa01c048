// `npm start` and `npm run worker` as production runs them: the compiled JavaScript in build/node
// (no TypeScript loader), as real processes. The web server starts on a fresh data dir and
// answers, a second one on the same data dir is refused with a message naming the holder, SIGTERM
// stops the first cleanly (its lock released), and a worker without DATABASE_URL says what it needs.
//
// Needs `npm run build` first (it runs build/node and serves build/).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { LOCK_FILE } from "~/db/data-dir-lock.server";
import { type Child, useChildren } from "../helpers/child";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
// After-each hooks run last-registered first: the children are killed before their dirs go.
const spawnNode = useChildren();

/** Runs a compiled entry point with plain node; only the settings the test gives (no developer's KVDECK_*). */
function run(script: string, env: Record<string, string>): Child {
  if (!fs.existsSync(script)) throw new Error(`run \`npm run build\` first: ${script} is missing`);
  return spawnNode([script], { NODE_ENV: "production", ...env });
}

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-compiled-"));
  dirs.push(dir);
  return dir;
}

test("npm start's build/node/index.js serves, refuses a second process on its data dir, and stops cleanly on SIGTERM", async () => {
  const dir = dataDir();
  const env = { PORT: "0", HOST: "127.0.0.1", KVDECK_DATA_DIR: dir, KVDECK_SEED: "none", KVDECK_ADMIN_PASSWORD: "compiled-admin-password" };
  const web = run("build/node/index.js", env);
  const [, url] = await web.waitFor(/kvdeck: listening on (http:\/\/127\.0\.0\.1:\d+) \(pglite, local KV API at \/client\/v4\)/);
  expect(web.output()).toContain(`kvdeck: starting (PGlite in ${path.join(dir, "pglite")})…`);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);

  const second = run("build/node/index.js", env);
  expect(await second.exited).toBe(1);
  expect(second.output()).toContain(`in use by another process, PID ${web.process.pid} `);
  expect(second.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace

  web.process.kill("SIGTERM");
  expect(await web.exited).toBe(0);
  expect(web.output()).toContain("kvdeck: SIGTERM, shutting down");
  expect(fs.existsSync(path.join(dir, "pglite", LOCK_FILE))).toBe(false);
}, 300_000);

test("npm run worker's build/node/worker.js without DATABASE_URL says what it needs and exits 1", async () => {
  const worker = run("build/node/worker.js", { KVDECK_DATA_DIR: dataDir() });
  expect(await worker.exited).toBe(1);
  expect(worker.output()).toContain("kvdeck worker: set DATABASE_URL.");
}, 120_000);
