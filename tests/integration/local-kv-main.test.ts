// `npm run kv-api` (server/kv-api.ts) as a real process: it starts on PGlite in the data
// dir, prints what a client needs, keeps its token and data across restarts, and stops cleanly.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Cloudflare from "cloudflare";
import { afterEach, describe, expect, it } from "vitest";

// Node itself with tsx as a loader (not the tsx wrapper, which runs the script in a grandchild):
// the child's PID is the server's, so a signal or a SIGKILL after a failed test reaches it.
const KV_API = ["--import", "tsx", "server/kv-api.ts"];
const running: ChildProcess[] = [];

afterEach(async () => {
  const children = running.splice(0);
  for (const child of children) if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, "SIGKILL");
  await Promise.all(
    children.map((child) =>
      child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once("exit", resolve)) : null,
    ),
  );
});

interface Started {
  child: ChildProcess;
  baseUrl: string;
  accountId: string;
  token: string;
  output: () => string;
}

async function start(env: Record<string, string>): Promise<Started> {
  // Only what the test sets: a developer's own KVDECK_* or CLOUDFLARE_* must not leak in.
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(childEnv)) if (/^(CLOUDFLARE_|KVDECK_)/.test(name)) delete childEnv[name];
  Object.assign(childEnv, { HOST: "127.0.0.1", KVDECK_KV_API_PORT: "0" }, env);
  const child = spawn(process.execPath, KV_API, { env: childEnv });
  running.push(child);
  let out = "";
  const line = (name: string) => new RegExp(`${name}=(\\S+)`).exec(out)?.[1];
  // Ready once it printed its token line (the last of what a client needs); no clock involved: a
  // slow start on a loaded machine is only bounded by the test's timeout.
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      if (/CLOUDFLARE_API_TOKEN=\S+\n/.test(out)) resolve(); // the whole line, not a chunk of it
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`kv-api exited (${code}) before it started:\n${out}`)));
  });
  return {
    child,
    baseUrl: line("CLOUDFLARE_API_BASE_URL")!,
    accountId: line("CLOUDFLARE_ACCOUNT_ID")!,
    token: line("CLOUDFLARE_API_TOKEN")!,
    output: () => out,
  };
}

async function stop(started: Started, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once("exit", (code) => resolve(code)));
  started.child.kill(signal);
  return exited;
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
        const child = spawn(process.execPath, KV_API, { env: { ...process.env, KVDECK_DATA_DIR: dataDir, ...bad } as NodeJS.ProcessEnv });
        running.push(child);
        let err = "";
        child.stderr!.on("data", (d) => (err += d));
        return new Promise((resolve) => child.once("exit", resolve)).then((code) => ({ bad, message, code, err: () => err }));
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
