// `npm run kv-api` (server/kv-api.ts) as a real process: it starts on PGlite in the data
// dir, prints what a client needs, keeps its token and data across restarts, and stops cleanly.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Cloudflare from "cloudflare";
import { describe, expect, it } from "vitest";
import { type Child, useChildren } from "../helpers/child";

const KV_API = ["--import", "tsx", "server/kv-api.ts"];
const spawnNode = useChildren();

interface Started {
  child: Child;
  baseUrl: string;
  accountId: string;
  token: string;
  output: () => string;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawnNode(KV_API, { HOST: "127.0.0.1", KVDECK_KV_API_PORT: "0", ...env });
  // Ready once it printed its token line, the last of what a client needs.
  const [, baseUrl] = await child.waitFor(/CLOUDFLARE_API_BASE_URL=(\S+)/);
  const [, accountId] = await child.waitFor(/CLOUDFLARE_ACCOUNT_ID=(\S+)/);
  const [, token] = await child.waitFor(/CLOUDFLARE_API_TOKEN=(\S+)/);
  return { child, baseUrl, accountId, token, output: child.output };
}

async function stop(started: Started, signal: NodeJS.Signals): Promise<number | null> {
  started.child.process.kill(signal);
  return started.child.exited;
}

describe("npm run kv-api", () => {
  it("serves the API from its own PGlite dir, keeps token and data across restarts, stops on SIGTERM/SIGINT", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-kv-api-"));
    try {
      const first = await start({ KVDECK_DATA_DIR: dataDir, KVDECK_RATE_LIMIT: "off" });
      expect(first.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
      expect(first.accountId).toBe("c0ffee00c0ffee00c0ffee00c0ffee00");
      const tokenFile = path.join(dataDir, "local-api-token");
      expect(fs.readFileSync(tokenFile, "utf8").trim()).toBe(first.token);
      expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect(fs.existsSync(path.join(dataDir, "kv-api-pglite"))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, "pglite"))).toBe(false);

      const sdk = (s: Started) => new Cloudflare({ apiToken: s.token, baseURL: s.baseUrl, maxRetries: 0 });
      const ns = await sdk(first).kv.namespaces.create({ account_id: first.accountId, title: "persisted" });
      await sdk(first).kv.namespaces.values.update("k", { account_id: first.accountId, namespace_id: ns.id, value: "v" });
      const unknown = await fetch(first.baseUrl.replace("/client/v4", "/elsewhere"));
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).errors[0].code).toBe(7003);
      expect(await stop(first, "SIGTERM")).toBe(0);
      expect(first.output()).toMatch(/SIGTERM, shutting down/);

      const second = await start({
        KVDECK_DATA_DIR: dataDir,
        KVDECK_CONSISTENCY_DELAY_MS: "250",
        KVDECK_FAULTS: "latency=1ms",
        KVDECK_RATE_LIMIT: "100/60s",
      });
      expect(second.token).toBe(first.token);
      expect(second.output()).toMatch(/consistency delay 250 ms, rate limit 100\/60s, faults/);
      const value = await sdk(second).kv.namespaces.values.get("k", { account_id: second.accountId, namespace_id: ns.id });
      expect(await value.text()).toBe("v");
      expect(await stop(second, "SIGINT")).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it("takes the token and account from the environment and refuses a bad configuration", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-kv-api-"));
    try {
      // The refusals stop at the settings, before the data dir, so they start beside the good one
      // (each process loads the server build: one after another, they were most of this test).
      const refusals = (
        [
          [{ KVDECK_RATE_LIMIT: "lots" }, /invalid rate limit "lots"/],
          [{ KVDECK_FAULTS: "error=2" }, /error must be a number from 0 to 1/],
          [{ KVDECK_KV_API_PORT: "99999" }, /KVDECK_KV_API_PORT/],
          [{ KVDECK_LOCAL_ACCOUNT_ID: "nope" }, /KVDECK_LOCAL_ACCOUNT_ID: 32 hex digits/],
        ] as const
      ).map(([bad, message]) => {
        const child = spawnNode(KV_API, { KVDECK_DATA_DIR: dataDir, ...bad });
        return child.exited.then((code) => ({ bad, message, code, err: child.output }));
      });
      const token = "env-token-0123456789abcdef";
      const started = await start({
        KVDECK_DATA_DIR: dataDir,
        KVDECK_LOCAL_API_TOKEN: token,
        KVDECK_LOCAL_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
      });
      expect(started.token).toBe(token);
      expect(started.accountId).toBe("0123456789abcdef0123456789abcdef");
      expect(fs.existsSync(path.join(dataDir, "local-api-token"))).toBe(false);
      expect(await stop(started, "SIGTERM")).toBe(0);

      for (const { bad, message, code, err } of await Promise.all(refusals)) {
        expect(code, JSON.stringify(bad)).toBe(1);
        expect(err()).toMatch(message);
        expect(err()).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
