// The data dir lock in one process: who counts as a live holder, and what a dead one leaves that
// the next process takes over. Real processes racing for it: tests/integration/data-dir-lock.test.ts.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DataDirLockedError, LOCK_FILE, type LockHolder, lockDataDir, processStartTime } from "./data-dir-lock.server";

let dir: string;
const locks: { release(): void }[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-lock-"));
});
afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

const lockFile = () => path.join(dir, LOCK_FILE);
const bootId = () => fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
const take = () => {
  const lock = lockDataDir(dir);
  locks.push(lock);
  return lock;
};
const refusal = () => {
  try {
    take();
  } catch (error) {
    if (error instanceof DataDirLockedError) return error;
    throw error;
  }
  throw new Error("the lock was taken");
};

/** A lock record as another process would have written it. */
function record(pid: number, extra: Partial<LockHolder> = {}): LockHolder {
  return {
    pid,
    startTime: processStartTime(pid),
    bootId: bootId(),
    host: os.hostname(),
    command: "node server/index.ts",
    since: "2026-01-01T00:00:00.000Z",
    nonce: `n${pid}`,
    ...extra,
  };
}
const write = (file: string, holder: LockHolder | string) =>
  fs.writeFileSync(file, typeof holder === "string" ? holder : JSON.stringify(holder));
/** The PID of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid;
const holderOf = () => JSON.parse(fs.readFileSync(lockFile(), "utf8")) as LockHolder;
/** Where a taker claims the right to replace this version of `file` (see the module's header). */
const claimFor = (file: string) =>
  `${file}.takeover-${crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16)}`;
const otherFiles = () => fs.readdirSync(dir).filter((name) => name !== LOCK_FILE);

describe("lockDataDir", () => {
  test("takes a free dir, refuses it to a second open while held, and frees it on release", () => {
    const lock = take();
    expect(holderOf()).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid), host: os.hostname() });
    expect(otherFiles()).toEqual([]);

    const refused = refusal();
    expect(refused.holder.pid).toBe(process.pid);
    expect(refused.message).toContain(`PID ${process.pid}`);
    expect(refused.message).toContain("DATABASE_URL");
    expect(holderOf().nonce).toBe(lock.holder.nonce); // the refused open changed nothing

    lock.release();
    expect(fs.existsSync(lockFile())).toBe(false);
    expect(take().holder.pid).toBe(process.pid);
  });

  test("refuses a lock held by another live process, naming its PID and command", () => {
    write(lockFile(), record(process.ppid));
    const refused = refusal();
    expect(refused.message).toMatch(new RegExp(`in use by another process, PID ${process.ppid} \\(node server/index\\.ts\\)`));
    expect(holderOf().pid).toBe(process.ppid);
  });

  test.each([
    ["its holder has exited", () => record(deadPid())],
    ["its PID now belongs to another process (another start time)", () => record(process.ppid, { startTime: "1" })],
    ["it was written before a reboot", () => record(process.ppid, { bootId: "00000000-0000-0000-0000-000000000000" })],
    ["it is empty (e.g. after a power loss)", () => ""],
    ["it is not a lock record", () => "{ not json"],
  ])("takes over a lock when %s", (_, stale) => {
    write(lockFile(), stale());
    const lock = take();
    expect(holderOf()).toMatchObject({ pid: process.pid, nonce: lock.holder.nonce });
    expect(otherFiles()).toEqual([]);
  });

  test("a taker that died mid-takeover: its claim is taken over too, and nothing is left behind", () => {
    write(lockFile(), record(deadPid()));
    write(claimFor(lockFile()), record(deadPid(), { nonce: "taker" }));
    write(path.join(dir, `${LOCK_FILE}.taker.tmp`), record(deadPid(), { nonce: "taker" }));
    write(path.join(dir, `${LOCK_FILE}.takeover-0123456789abcdef`), record(deadPid(), { nonce: "older" }));
    take();
    expect(holderOf().pid).toBe(process.pid);
    expect(otherFiles()).toEqual([]);
  });

  // Another process creates its temporary record, then writes it: between the two it is empty,
  // and removing it then made that process's takeover fail (seen on a loaded machine).
  test("an empty temporary file is another process's record being written: kept while young, removed when old", () => {
    const young = path.join(dir, `${LOCK_FILE}.young.tmp`);
    const old = path.join(dir, `${LOCK_FILE}.old.tmp`);
    fs.writeFileSync(young, "");
    fs.writeFileSync(old, "");
    const longAgo = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(old, longAgo, longAgo);
    take();
    expect(otherFiles()).toEqual([`${LOCK_FILE}.young.tmp`]);
  });

  test("a live process taking a stale lock over right now wins: the second open is refused naming it", () => {
    const stale = JSON.stringify(record(deadPid()));
    write(lockFile(), stale);
    write(claimFor(lockFile()), record(process.ppid));
    const refused = refusal();
    expect(refused.message).toContain(`is being opened by another process, PID ${process.ppid}`);
    expect(fs.readFileSync(lockFile(), "utf8")).toBe(stale);
  });

  test("refuses a lock held on another host, saying how to clear it", () => {
    write(lockFile(), record(deadPid(), { host: "elsewhere.example" }));
    const refused = refusal();
    expect(refused.message).toContain("on host elsewhere.example");
    expect(refused.message).toContain(`delete ${lockFile()}`);
  });

  test("release leaves a lock that is no longer this process's", () => {
    const lock = take();
    write(lockFile(), record(process.ppid));
    lock.release();
    expect(holderOf().pid).toBe(process.ppid);
  });
});

test("only app/db/client.server.ts opens PGlite, so every data dir it opens is locked", () => {
  const sources = ["app", "server", "tests", "bench"].flatMap((root) =>
    fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, encoding: "utf8" }).map((name) => path.join(root, name)) : [],
  );
  const opening = sources.filter((file) => /\.tsx?$/.test(file) && /["']@electric-sql\/pglite["']/.test(fs.readFileSync(file, "utf8")));
  expect(opening).toEqual([path.join("app", "db", "client.server.ts")]);
});
