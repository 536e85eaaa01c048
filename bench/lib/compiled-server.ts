// kvdeck's compiled server (build/node/index.js) started for a benchmark: its own data dir and port,
// no demo seed, the local KV API with a known token and no consistency delay, a known admin
// password. Also seeds a namespace through that local KV API with bulk writes.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sleep } from "./cli";

export const BENCH_ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
export const BENCH_TOKEN = "bench-local-api-token-0123456789";
export const BENCH_PASSWORD = "bench-admin-password";
const BULK_MAX_KEYS = 10_000;

export interface CompiledServer {
  baseUrl: string;
  /** Where the server's output is written once it exits. */
  log: string;
  /** Headers for the local KV API. */
  localApi: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the server in `root` (a checkout with `npm run build` done) and waits for /healthz. */
export async function startCompiledServer({
  root = ".",
  port,
  name,
}: {
  root?: string;
  port: number;
  name: string;
}): Promise<CompiledServer> {
  if (!existsSync(path.join(root, "build/node/index.js"))) throw new Error(`no build in ${root}: run \`npm run build\` there first`);
  const dataDir = mkdtempSync(path.join(tmpdir(), `kvdeck-bench-${name}-`));
  const log = path.join(tmpdir(), `kvdeck-bench-${name}.log`);
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ["build/node/index.js"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      KVDECK_DATA_DIR: path.join(dataDir, "data"),
      KVDECK_SEED: "none",
      KVDECK_CONSISTENCY_DELAY_MS: "0",
      KVDECK_LOCAL_API_TOKEN: BENCH_TOKEN,
      KVDECK_ADMIN_PASSWORD: BENCH_PASSWORD,
    },
  });
  const chunks: string[] = [];
  child.stdout!.on("data", (d) => chunks.push(String(d)));
  child.stderr!.on("data", (d) => chunks.push(String(d)));
  let exited: number | null = null;
  child.once("exit", (code) => {
    exited = code ?? -1;
    writeFileSync(log, chunks.join(""));
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited !== null) throw new Error(`the server exited (${exited}):\n${chunks.join("").slice(-2000)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer /healthz:\n${chunks.join("").slice(-2000)}`);
    }
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(250);
  }
  return { baseUrl, log, localApi: { Authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" }, stop };
}

/** Creates a namespace through the server's local KV API and writes `count` keys into it; returns its id. */
export async function seedNamespace(
  server: CompiledServer,
  title: string,
  count: number,
  entry: (i: number) => { key: string; value: string; metadata?: unknown },
): Promise<string> {
  const api = `${server.baseUrl}/client/v4/accounts/${BENCH_ACCOUNT}/storage/kv/namespaces`;
  const created = await fetch(api, { method: "POST", headers: server.localApi, body: JSON.stringify({ title }) });
  if (!created.ok) throw new Error(`create namespace: ${created.status} ${await created.text()}`);
  const id = ((await created.json()) as { result: { id: string } }).result.id;
  for (let from = 0; from < count; from += BULK_MAX_KEYS) {
    const batch = Array.from({ length: Math.min(BULK_MAX_KEYS, count - from) }, (_, i) => entry(from + i));
    const written = await fetch(`${api}/${id}/bulk`, { method: "PUT", headers: server.localApi, body: JSON.stringify(batch) });
    if (!written.ok) throw new Error(`bulk write: ${written.status} ${await written.text()}`);
  }
  return id;
}
