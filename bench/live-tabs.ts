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
import { chromium, type Page, type Request } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "../tests/helpers/chromium";
import { load, median, option, sleep } from "./lib/cli";
import { BENCH_PASSWORD as PASSWORD, type CompiledServer, seedNamespace, startCompiledServer } from "./lib/compiled-server";

const TABS = Number(option("tabs", "20"));
const KEYS = Number(option("keys", "200000"));
const WINDOW_S = Number(option("window", "20"));
const REPEAT = Number(option("repeat", "5"));
const OFFLINE_S = Number(option("offline", "5"));
const PORT = Number(option("port", "3298"));
const BASE = `http://127.0.0.1:${PORT}`;

let server: CompiledServer | null = null;
const stopServer = async () => server?.stop();

async function setHold(after: number | null) {
  const res = await fetch(`${BASE}/client/v4/__kvdeck/faults`, {
    method: "PUT",
    headers: server!.localApi,
    body: JSON.stringify({ holdBulkDeletesAfter: after }),
  });
  if (!res.ok) throw new Error(`faults: ${res.status}`);
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
  server = await startCompiledServer({ port: PORT, name: "live" });
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
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

    const namespaceId = await seedNamespace(server, `bench-live-${Date.now()}`, KEYS, (i) => ({
      key: `tmp:${String(i).padStart(7, "0")}`,
      value: "x",
    }));
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
