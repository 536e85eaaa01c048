// A job whose process is killed with SIGKILL mid-run is taken over by the next process once its
// lease lapses, and still ends exact: no matching key left, no other key touched, only keys of
// the batches in flight at the kill deleted twice, and counters that add up without counting
// anything twice. The local KV API (served here) has a consistency delay, so keys deleted before
// the kill are still listed after it: a wrong checkpoint would delete and count them again.
// Run twice: with a long delay (the batch in flight at the kill is still listed at the takeover)
// and a short one (it no longer is: only the write-ahead of batches in flight can count it).
// No recycle copy: a kill between a copy and its delete is recycle-jobs.test.ts's.
import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from "vitest";
import type { JobSnapshot } from "~/jobs/types";
import { countKeys, jobProcessDatabases, seedKeys } from "../helpers/jobs";
import { type LocalKv, startLocalKv } from "../helpers/local-kv";

const DOOMED = 100_000;
const KEPT = 20_000;
// Long enough that a live runner never loses its lease on a loaded machine (it renews it every
// 200 ms): each run then counts exactly one attempt. The takeover after the SIGKILL does not wait
// for it: the second process first expires the dead runner's lease (LAPSE_LEASE_OF).
const LEASE_MS = 120_000;

let kv: LocalKv;
const databases = jobProcessDatabases();
/** Per case: its own job database (a PGlite dir or a database on the test server). */
let jobDatabase: string;
/** Per case: the spawned processes, killed (by PID) and awaited after it, then the database dropped. */
const children: Child[] = [];
let dropDatabase: (() => Promise<void>) | null = null;
/** The local KV API's clock (this process's Date.now), moved forward past its consistency delay. */
let clockOffsetMs = 0;

beforeAll(async () => {
  kv = await startLocalKv({ faults: { latencyMs: 15 } });
});
beforeEach(async () => {
  clockOffsetMs = 0;
  const realNow = Date.now.bind(Date);
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + clockOffsetMs);
  const database = await databases.next();
  jobDatabase = database.target;
  dropDatabase = database.drop;
});
afterEach(async () => {
  vi.restoreAllMocks();
  // A case that failed or timed out leaves its processes running: they must not outlive it.
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null && child.process.pid) {
      try {
        process.kill(child.process.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await child.exited;
  }
  await dropDatabase?.();
  dropDatabase = null;
});
afterAll(async () => {
  await kv?.close();
  await databases.close();
});

interface Child {
  process: ChildProcess;
  lines: AsyncIterableIterator<string>;
  exited: Promise<number | null>;
}

function spawnChild(extra: Record<string, string>): Child {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/job-child.ts"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      JOB_DATABASE: jobDatabase,
      KV_BASE_URL: kv.baseUrl,
      KV_TOKEN: kv.token,
      KV_ACCOUNT: kv.accountId,
      LEASE_MS: String(LEASE_MS),
      BUDGET: "2000/10s",
      ...extra,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then((code) => {
    if (code !== 0 && code !== null && stderr) process.stdout.write(`child stderr:\n${stderr}\n`);
  });
  const spawned: Child = { process: child, lines: readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator](), exited };
  children.push(spawned);
  return spawned;
}

async function nextEvent(child: Child): Promise<Record<string, unknown>> {
  const { value, done } = await child.lines.next();
  if (done) throw new Error(`the child ended early (exit ${await child.exited})`);
  return JSON.parse(value);
}

test.each([
  // Far longer than the test runs: nothing deleted shows as gone until the clock is moved at the end.
  { CONSISTENCY_DELAY_MS: 3_600_000, listed: "still listed" },
  // The clock is moved past it after the kill: the keys deleted by the batch in flight are gone
  // from the listing by the takeover.
  { CONSISTENCY_DELAY_MS: 1_000, listed: "no longer listed" },
])(
  "SIGKILL mid-purge, in-flight keys $listed at takeover: the next process resumes and ends exact",
  { timeout: 300_000 },
  async ({ CONSISTENCY_DELAY_MS, listed }) => {
    const ns = (await kv.store.createNamespace(kv.accountId, `resume-${CONSISTENCY_DELAY_MS}`))!.id;
    await seedKeys(
      kv,
      ns,
      sql`select ${ns}, 'doomed/' || lpad(i::text, 6, '0'), convert_to('v' || i, 'UTF8'), null::text, null::bigint from generate_series(1, ${DOOMED}) i
        union all select ${ns}, 'kept/' || lpad(i::text, 6, '0'), convert_to('v' || i, 'UTF8'), null, null from generate_series(1, ${KEPT}) i`,
    );
    kv.store.consistencyDelayMs = CONSISTENCY_DELAY_MS;
    // Every key a bulk delete carries, as the server receives it. The 4th batch's arrival kills the
    // first process: that batch is applied here, but its process never learns of it.
    const sent: string[] = [];
    let kill: (() => void) | null = null;
    const split = kv.faults.splitBulk.bind(kv.faults);
    vi.spyOn(kv.faults, "splitBulk").mockImplementation(<T>(items: T[], keyOf: (item: T) => string) => {
      for (const item of items) if (typeof item === "string") sent.push(item);
      if (kill && sent.length >= 40_000) {
        kill();
        kill = null;
      }
      return split(items, keyOf);
    });

    const first = spawnChild({
      START: JSON.stringify({ kind: "purge", namespaceId: ns, payload: { rule: { prefix: "doomed/" }, recycle: "skip" } }),
    });
    kill = () => first.process.kill("SIGKILL");
    const started = await nextEvent(first);
    const jobId = started.started as string;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    // The last progress it reported before dying (no more than it had checkpointed).
    let reported: JobSnapshot | null = null;
    // Every snapshot either process published, in order: what a person watching the job saw.
    const published: JobSnapshot[] = [];
    for (;;) {
      const { value, done } = await first.lines.next();
      if (done) break;
      const event = JSON.parse(value) as { progress?: JobSnapshot };
      if (event.progress) {
        reported = event.progress;
        published.push(event.progress);
      }
    }
    expect(await first.exited).toBeNull(); // killed, not exited
    const sentBeforeKill = new Set(sent).size;
    const checkpointed = reported?.counters.succeeded ?? 0;
    expect(sentBeforeKill).toBeGreaterThanOrEqual(40_000);
    expect(checkpointed).toBeLessThan(sentBeforeKill);

    // Short delay: every delete accepted before the kill is due (and so gone from lists) by the takeover.
    if (listed === "no longer listed") clockOffsetMs += CONSISTENCY_DELAY_MS;
    // Second process: only runs jobs. The dead process's lease is expired (as it would lapse after
    // LEASE_MS), so it takes over at once.
    const second = spawnChild({ LAPSE_LEASE_OF: jobId });
    let done: JobSnapshot | null = null;
    while (!done) {
      const event = await nextEvent(second);
      if (event.progress) published.push(event.progress as JobSnapshot);
      if (event.done) done = event.done as JobSnapshot;
    }
    expect(await second.exited).toBe(0);

    expect(done.state).toBe("succeeded");
    expect(done.attempts).toBe(2);
    const c = done.counters;
    expect(c.processed).toBe(c.succeeded + c.failed + c.skipped);
    expect(c.matched).toBe(c.processed);
    expect(c.failed).toBe(0);
    // Each key counted once: the second process replayed and counted the batch in flight at the kill
    // (written ahead), whether or not the listing still showed it; nothing checkpointed was repeated.
    expect(c.succeeded).toBe(DOOMED);
    // Scanned exact too: every doomed key counted once, whether the takeover listed it again (long
    // delay: not counted twice) or no longer did (short delay: counted before the kill, in the
    // checkpoint saved before its batch was sent). It used to end below matched in the short case.
    expect(c.scanned).toBe(DOOMED);
    // What a person saw never went back, across the kill and the takeover, and always added up.
    const problems: string[] = [];
    published.forEach((s, i) => {
      const p = s.counters;
      if (p.processed !== p.succeeded + p.failed + p.skipped || p.matched < p.processed || p.scanned < p.matched)
        problems.push(`#${i}: ${JSON.stringify(p)}`);
      const before = published[i - 1];
      if (before && (p.scanned < before.counters.scanned || s.pagesScanned < before.pagesScanned))
        problems.push(`#${i} went back: ${JSON.stringify(p)} after ${JSON.stringify(before.counters)}`);
    });
    expect(problems).toEqual([]);
    // Every doomed key was sent, no other key; repeats only from the batches in flight at the kill.
    const unique = new Set(sent);
    expect(unique.size).toBe(DOOMED);
    expect([...unique].filter((k) => !k.startsWith("doomed/"))).toEqual([]);
    const repeats = sent.length - unique.size;
    expect(repeats).toBeLessThanOrEqual(sentBeforeKill - checkpointed);
    console.log(
      `killed at ${checkpointed} checkpointed / ${sentBeforeKill} sent; final ${JSON.stringify(c)}; ${repeats} keys deleted twice`,
    );

    // Once the upstream has caught up (its clock moved past the delay): none left, none other touched.
    clockOffsetMs += CONSISTENCY_DELAY_MS + 1;
    await kv.store.applyDue();
    expect(await countKeys(kv, ns, sql`starts_with(key, 'doomed/')`)).toBe(0);
    expect(await countKeys(kv, ns)).toBe(KEPT);
  },
);
