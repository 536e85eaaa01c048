// One process per PGlite data dir, with real processes: a second `npm run kv-api` on a data dir
// another live process holds refuses to start (naming the holder's PID) and leaves the database
// alone; after the holder is killed with SIGKILL the next start takes the dir over without
// cleanup, with every write the dead process acknowledged; two processes racing over a stale lock
// never both win. The lock itself: app/db/data-dir-lock.server.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LOCK_FILE } from "~/db/data-dir-lock.server";
import { type Child, useChildren } from "../helpers/child";

const spawnNode = useChildren();
let dataDir: string;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-lock-it-"));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs a TypeScript `script` with node itself, so the child's PID is the lock holder's. */
const spawnChild = (script: string, env: Record<string, string>): Child => spawnNode(["--import", "tsx", script], env, { stdin: true });

const kvApi = () =>
  spawnChild("server/kv-api.ts", {
    KVDECK_DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    KVDECK_KV_API_PORT: "0",
    KVDECK_RATE_LIMIT: "off",
    KVDECK_CONSISTENCY_DELAY_MS: "0",
  });

async function started(child: Child) {
  const value = async (name: string) => (await child.waitFor(new RegExp(`${name}=(.*)`)))[1].trim();
  return {
    baseUrl: await value("CLOUDFLARE_API_BASE_URL"),
    account: await value("CLOUDFLARE_ACCOUNT_ID"),
    token: await value("CLOUDFLARE_API_TOKEN"),
  };
}

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const stat = fs.statSync(file);
    files[path.relative(dir, file)] = `${stat.size} ${stat.mtimeMs}`;
  }
  return files;
}

describe("one process per PGlite data dir", () => {
  test("a second kv-api refuses a held data dir naming the holder's PID; after SIGKILL the next takes it over with every acknowledged write", async () => {
    const holder = kvApi();
    const api = await started(holder);
    const call = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${api.baseUrl}/accounts/${api.account}/storage/kv/namespaces${route}`, {
        method,
        headers: { Authorization: `Bearer ${api.token}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status, `${method} ${route}`).toBe(200);
      return response;
    };
    const namespace = (await (await call("POST", "", { title: "acknowledged" })).json()).result.id as string;
    const keys = Array.from({ length: 500 }, (_, i) => ({ key: `k${String(i).padStart(4, "0")}`, value: `v${i}` }));
    await call("PUT", `/${namespace}/bulk`, keys);

    const pgliteDir = path.join(dataDir, "kv-api-pglite");
    const before = snapshot(pgliteDir);
    const second = kvApi();
    const outcome = await Promise.race([
      second.exited.then((code) => ({ exited: code })),
      second.waitFor(/listening/).then(() => "started"),
    ]);
    expect(outcome).toEqual({ exited: 1 });
    expect(second.output()).toContain(`in use by another process, PID ${holder.process.pid} `);
    expect(second.output()).toContain("DATABASE_URL");
    expect(second.output()).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
    expect(snapshot(pgliteDir)).toEqual(before);
    // The holder goes on as before.
    expect(await (await call("GET", `/${namespace}/values/k0499`)).text()).toBe("v499");

    holder.process.kill("SIGKILL");
    expect(await holder.exited).toBeNull();
    expect(fs.existsSync(path.join(pgliteDir, LOCK_FILE))).toBe(true); // nobody cleaned up

    const next = kvApi();
    const restarted = await started(next);
    const listed = await fetch(`${restarted.baseUrl}/accounts/${restarted.account}/storage/kv/namespaces/${namespace}/keys?limit=1000`, {
      headers: { Authorization: `Bearer ${restarted.token}` },
    });
    expect((await listed.json()).result.map((k: { name: string }) => k.name)).toEqual(keys.map((k) => k.key));
    next.process.kill("SIGTERM");
    expect(await next.exited).toBe(0);
    expect(fs.existsSync(path.join(pgliteDir, LOCK_FILE))).toBe(false); // released on a clean stop
  }, 400_000);

  test("a process that does not handle SIGTERM itself releases the lock on it, and still dies of it", async () => {
    const dir = path.join(dataDir, "signal");
    const holder = spawnChild("tests/helpers/data-dir-child.ts", { LOCK_DIR: dir });
    await holder.waitFor(/"won"/);
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);
    holder.process.kill("SIGTERM");
    await holder.exited;
    expect(holder.process.signalCode).toBe("SIGTERM");
    expect(fs.readdirSync(dir)).toEqual([]);
  }, 180_000);

  test("two processes racing to take over a stale lock: exactly one wins, the other names it", async () => {
    const dir = path.join(dataDir, "race");
    for (let round = 0; round < 3; round++) {
      // The three of a round start together, each waiting for "go" before it touches the lock:
      // their start-ups (node and tsx) overlap instead of following one another.
      const [dead, ...racers] = [0, 1, 2].map(() => spawnChild("tests/helpers/data-dir-child.ts", { LOCK_DIR: dir, WAIT_GO: "1" }));
      await Promise.all([dead, ...racers].map((child) => child.waitFor(/"ready"/)));
      dead.process.stdin!.write("go\n");
      await dead.waitFor(/"won"/);
      dead.process.kill("SIGKILL");
      await dead.exited;

      for (const r of racers) r.process.stdin!.write("go\n");
      const results = await Promise.all(racers.map((r) => r.waitFor(/"won"|"refused"/).then((match) => JSON.parse(match.input!))));
      const winners = results.filter((r) => r.won);
      expect(winners, JSON.stringify(results)).toHaveLength(1);
      const loser = results.find((r) => r.refused);
      expect(loser.holder).toBe(winners[0].won);
      expect(loser.refused).toContain(`PID ${winners[0].won}`);
      expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).pid).toBe(winners[0].won);

      const winner = racers[results.indexOf(winners[0])];
      winner.process.stdin!.end();
      expect(await winner.exited).toBe(0);
      expect(await racers[results.indexOf(loser)].exited).toBe(1);
      expect(fs.readdirSync(dir)).toEqual([]); // released, and no claim or temporary file left
    }
  }, 600_000);
});
