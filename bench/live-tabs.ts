// Benchmark: the one live connection with many tabs open. Not a test: run by hand (under the shared
// lock: it starts a server and a browser).
//   flock /tmp/kvdeck-e2e.lock npx tsx bench/live-tabs.ts
//   options: --tabs 20, --keys 200000, --window 20 (seconds counted), --repeat 5 (offline rounds),
//            --offline 5 (seconds each), --port 3298
// Starts kvdeck's compiled server (build/node/index.js; `npm run build` first) with its own data dir
// and port, seeds a namespace through its local KV API, signs in, starts a purge whose bulk deletes
// the local KV API holds (so it keeps running), opens --tabs tabs of one browser context on its page
// and measures:
// - the update rate: job snapshots per second each tab receives (counted on the tabs' own
//   BroadcastChannel, where the leader relays every update), over --window seconds, and what one
//   plain /live stream gets for the job as a visible topic and as a background one;
// - the /live streams the context opened and the most open at once;
// - the resync delay: the context goes offline for --offline seconds while the job moves on one
//   step; from each tab's own `online` event to its page showing the step (timed in the page, polled
//   every 10 ms).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Page, type Request } from "@playwright/test";

const ACCOUNT = "c0ffee00c0ffee00c0ffee00c0ffee00";
const TOKEN = "bench-local-api-token-0123456789";
const PASSWORD = "bench-admin-password";
const BULK_MAX_KEYS = 10_000;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const TABS = Number(option("tabs", "20"));
const KEYS = Number(option("keys", "200000"));
const WINDOW_S = Number(option("window", "20"));
const REPEAT = Number(option("repeat", "5"));
const OFFLINE_S = Number(option("offline", "5"));
const PORT = Number(option("port", "3298"));
const BASE = `http://127.0.0.1:${PORT}`;
const local = { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the server -----------------------------------------------------------------------------------

let server: ChildProcess | null = null;
let dataDir = "";

async function startServer() {
  if (!existsSync("build/node/index.js")) throw new Error("run `npm run build` first");
  dataDir = mkdtempSync(path.join(tmpdir(), "kvdeck-bench-live-"));
  const child = spawn(process.execPath, ["build/node/index.js"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      KVDECK_DATA_DIR: path.join(dataDir, "data"),
      KVDECK_SEED: "none",
      KVDECK_CONSISTENCY_DELAY_MS: "0",
      KVDECK_LOCAL_API_TOKEN: TOKEN,
      KVDECK_ADMIN_PASSWORD: PASSWORD,
    },
  });
  server = child;
  const chunks: string[] = [];
  child.stdout!.on("data", (d) => chunks.push(String(d)));
  child.stderr!.on("data", (d) => chunks.push(String(d)));
  let exited: number | null = null;
  child.once("exit", (code) => {
    exited = code ?? -1;
    writeFileSync(path.join(tmpdir(), "kvdeck-bench-live.log"), chunks.join(""));
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited !== null) throw new Error(`the server exited (${exited}):\n${chunks.join("").slice(-2000)}`);
    if (Date.now() > deadline) throw new Error("the server did not answer /healthz");
    if (
      await fetch(`${BASE}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(250);
  }
}

async function stopServer() {
  const child = server;
  server = null;
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await gone;
    clearTimeout(timer);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

async function setHold(after: number | null) {
  const res = await fetch(`${BASE}/client/v4/__kvdeck/faults`, {
    method: "PUT",
    headers: local,
    body: JSON.stringify({ holdBulkDeletesAfter: after }),
  });
  if (!res.ok) throw new Error(`faults: ${res.status}`);
}

async function seedNamespace(title: string) {
  const api = `${BASE}/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces`;
  const created = await fetch(api, { method: "POST", headers: local, body: JSON.stringify({ title }) });
  const id = ((await created.json()) as { result: { id: string } }).result.id;
  for (let from = 0; from < KEYS; from += BULK_MAX_KEYS) {
    const batch = Array.from({ length: Math.min(BULK_MAX_KEYS, KEYS - from) }, (_, i) => ({
      key: `tmp:${String(from + i).padStart(7, "0")}`,
      value: "x",
    }));
    const written = await fetch(`${api}/${id}/bulk`, { method: "PUT", headers: local, body: JSON.stringify(batch) });
    if (!written.ok) throw new Error(`bulk write: ${written.status}`);
  }
  return id;
}

/** Counts `update` events of `topic` on a plain /live stream (as one browser tab alone would get them) for `seconds`. */
async function streamRate(cookie: string, topic: string, background: boolean, seconds: number): Promise<number> {
  const query = new URLSearchParams([["topic", topic], ...(background ? [["background", topic]] : [])]);
  const abort = new AbortController();
  const res = await fetch(`${BASE}/live?${query}`, { headers: { cookie, accept: "text/event-stream" }, signal: abort.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let updates = 0;
  let buffer = "";
  const stop = setTimeout(() => abort.abort(), seconds * 1000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        if (buffer.slice(0, end).startsWith("event: update")) updates++;
        buffer = buffer.slice(end + 2);
      }
    }
  } catch {
    // the window ended
  } finally {
    clearTimeout(stop);
  }
  return updates;
}

/** The job's snapshot now: the first state of a fresh /live stream. */
async function jobNow(cookie: string, jobId: string): Promise<{ progress: number | null }> {
  const abort = new AbortController();
  const res = await fetch(`${BASE}/live?topic=job:${jobId}`, { headers: { cookie, accept: "text/event-stream" }, signal: abort.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended before the job's state");
      buffer += value;
      const update = /event: update\ndata: (.*)\n\n/.exec(buffer);
      if (update) return (JSON.parse(update[1]) as { data: { progress: number | null } }).data;
    }
  } finally {
    abort.abort();
  }
}

// ---- the run ------------------------------------------------------------------------------------

declare global {
  interface Window {
    __liveUpdates: number[];
    __onlineAt: number;
  }
}

async function main() {
  console.log(`load before: ${load()}`);
  await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.KVDECK_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  try {
    const context = await browser.newContext({ baseURL: BASE });
    const streams = { opened: 0, mostOpen: 0 };
    const open = new Set<Request>();
    context.on("request", (r) => {
      if (new URL(r.url()).pathname !== "/live") return;
      open.add(r);
      streams.opened++;
      streams.mostOpen = Math.max(streams.mostOpen, open.size);
    });
    context.on("requestfinished", (r) => open.delete(r));
    context.on("requestfailed", (r) => open.delete(r));
    // Each tab counts the job updates the leader relays on the tabs' channel.
    await context.addInitScript(() => {
      window.__liveUpdates = [];
      window.__onlineAt = NaN;
      window.addEventListener("online", () => (window.__onlineAt = Date.now()));
      new BroadcastChannel("kvdeck-live").addEventListener("message", (event) => {
        const message = event.data as { type: string; topic?: string };
        if (message.type === "update" && message.topic?.startsWith("job:")) window.__liveUpdates.push(Date.now());
      });
    });

    const first = await context.newPage();
    await first.goto("/sign-in");
    await first.getByLabel("Username").fill("admin");
    await first.getByLabel("Password").fill(PASSWORD);
    await first.getByRole("button", { name: "Sign in" }).click();
    await first.getByRole("button", { name: "Sign out" }).waitFor();
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const account = await first
      .getByRole("link", { name: /local/i })
      .first()
      .getAttribute("href")
      .catch(() => null);
    const connectionId = account?.match(/\/accounts\/(\d+)/)?.[1] ?? "1";

    const namespaceId = await seedNamespace(`bench-live-${Date.now()}`);
    await setHold(1);
    const started = await first.request.post(`/accounts/${connectionId}/namespaces/${namespaceId}/jobs`, {
      form: { kind: "purge", "rule.prefix": "tmp:", totalEstimate: String(KEYS) },
      headers: { Origin: BASE },
    });
    const { job } = (await started.json()) as { job: { id: string } };
    const jobPath = `/jobs/${job.id}`;

    const tabs: Page[] = [first];
    await first.goto(jobPath);
    for (let i = 1; i < TABS; i++) {
      const tab = await context.newPage();
      await tab.goto(jobPath);
      tabs.push(tab);
    }
    const bar = (tab: Page) => tab.getByRole("progressbar", { name: "Purge by rule progress" });
    for (const tab of tabs)
      await tab
        .getByRole("status", { name: "Live updates" })
        .filter({ hasText: /^live$/ })
        .waitFor();
    await bar(first).waitFor();
    const valueOf = async (tab: Page) => Number(await bar(tab).getAttribute("aria-valuenow"));
    while ((await valueOf(first)) === 0) await sleep(100);

    // The update rate, the job running (held between two batches: its tick still writes every second).
    const from = Date.now();
    await sleep(WINDOW_S * 1000);
    const to = Date.now();
    const perTab = await Promise.all(
      tabs.map((t) => t.evaluate(([a, b]) => window.__liveUpdates.filter((at) => at >= a && at < b).length, [from, to])),
    );
    const rates = perTab.map((n) => n / ((to - from) / 1000));
    console.log(
      `tabs: ${TABS}; job updates per second per tab over ${WINDOW_S} s: median ${median(rates).toFixed(2)}, min ${Math.min(...rates).toFixed(2)}, max ${Math.max(...rates).toFixed(2)}  (load ${load()})`,
    );
    const [visible, background] = await Promise.all([
      streamRate(cookie, `job:${job.id}`, false, WINDOW_S),
      streamRate(cookie, `job:${job.id}`, true, WINDOW_S),
    ]);
    console.log(
      `one /live stream for ${WINDOW_S} s: visible topic ${visible} updates (${(visible / WINDOW_S).toFixed(2)}/s), background topic ${background} updates (first state included)`,
    );
    console.log(`/live streams the context opened: ${streams.opened}; most open at once: ${streams.mostOpen}`);

    // The resync delay.
    const delays: number[] = [];
    for (let round = 0; round < REPEAT; round++) {
      const before = await valueOf(first);
      const offlineAt = Date.now();
      await context.setOffline(true);
      await setHold(0); // the held deletes go, the next ones wait
      // The job as another browser sees it: until the step is done.
      let now = before;
      while (now <= before) {
        const snapshot = await jobNow(cookie, job.id);
        now = (snapshot.progress ?? 0) * 100;
        if (now <= before) await sleep(200);
      }
      await sleep(Math.max(0, OFFLINE_S * 1000 - (Date.now() - offlineAt)));
      const back = Date.now();
      await context.setOffline(false);
      // Per tab: from its own `online` event to its bar showing the step (timed in the page).
      const shown = await Promise.all(
        tabs.map((tab) =>
          tab
            .waitForFunction(
              (least) => {
                const value = Number(document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow"));
                return value >= least - 1e-9 && Math.max(1, Date.now() - window.__onlineAt);
              },
              now,
              { polling: 10, timeout: 60_000 },
            )
            .then((handle) => handle.jsonValue() as Promise<number>)
            .catch(async (error: unknown) => {
              const shows = await tab.evaluate(() => [
                document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow"),
                document.querySelector('[aria-label="Live updates"]')?.textContent,
                document.querySelector("main")?.textContent?.slice(0, 200),
              ]);
              throw new Error(`a tab still shows ${JSON.stringify(shows)}, not ${now}: ${error}`);
            }),
        ),
      );
      const setOnlineMs = Date.now() - back;
      delays.push(median(shown));
      // The pages' resyncs (loader revalidations) finish before the network goes again.
      await Promise.all(
        tabs.map((tab) =>
          tab.waitForFunction(() => {
            const router = (window as { __remixRouter?: { state: { revalidation: string; navigation: { state: string } } } }).__remixRouter;
            return router?.state.revalidation === "idle" && router.state.navigation.state === "idle";
          }),
        ),
      );
      console.log(
        `round ${round + 1}: offline ${((back - offlineAt) / 1000).toFixed(1)} s, progress ${before.toFixed(1)} → ${now.toFixed(1)} %; from its online event each tab showed it after median ${median(shown)} ms, max ${Math.max(...shown)} ms (all of them ${setOnlineMs} ms after setOffline(false) was called)  (load ${load()})`,
      );
    }
    console.log(
      `resync delay (a tab's online event to its page showing the step) over ${REPEAT} rounds: median of the rounds' medians ${median(delays)} ms`,
    );
    console.log(`/live streams the context opened: ${streams.opened}; most open at once: ${streams.mostOpen}`);
    await setHold(null);
  } finally {
    await browser.close();
    await stopServer();
  }
}

main().catch(async (error) => {
  console.error(error);
  await stopServer();
  process.exit(1);
});
