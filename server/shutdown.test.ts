// server/shutdown.ts in a real process (tests/helpers/shutdown-child.ts): SIGTERM runs close()
// once and exits 0 when it finishes; a second SIGTERM while it runs exits at once with status 1.
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, expect, test } from "vitest";

const running: ChildProcess[] = [];

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
});

function start() {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/shutdown-child.ts"], { stdio: ["pipe", "pipe", "pipe"] });
  running.push(child);
  let out = "";
  const seen: { pattern: RegExp; resolve: () => void }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (chunk) => {
      out += chunk;
      for (const w of seen.splice(0)) {
        if (w.pattern.test(out)) w.resolve();
        else seen.push(w);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    child,
    output: () => out,
    exited,
    printed: (pattern: RegExp) =>
      pattern.test(out)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => seen.push({ pattern, resolve })),
            exited.then((code) => Promise.reject(new Error(`exited (${code}) before printing ${pattern}:\n${out}`))),
          ]),
  };
}

test("SIGTERM runs close() once, says so, and exits 0 when it has finished", async () => {
  const p = start();
  await p.printed(/ready/);
  p.child.kill("SIGTERM");
  await p.printed(/closing/);
  expect(p.output()).toContain("shutdown-child: SIGTERM, stopping");
  p.child.stdin!.end("done\n");
  expect(await p.exited).toBe(0);
  expect(p.output().match(/closing/g)).toHaveLength(1);
  expect(p.output()).toContain("closed");
}, 120_000);

test("a second SIGTERM while close() runs exits at once with status 1", async () => {
  const p = start();
  await p.printed(/ready/);
  p.child.kill("SIGTERM");
  await p.printed(/closing/);
  p.child.kill("SIGTERM");
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain("shutdown-child: SIGTERM again, exiting now");
  expect(p.output()).not.toContain("closed");
}, 120_000);
