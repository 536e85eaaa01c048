// One process per PGlite data dir. PGlite is an embedded database: two processes that open the
// same directory each believe they own it, and writes one of them acknowledged are gone once the
// other's state reaches the disk. openDatabase takes this lock before PGlite touches the directory.
//
// The lock is <dir>/kvdeck.lock, a small JSON record of its holder: PID, the process's start time
// and the boot id (so a PID reused by another process after a crash or a reboot is not taken for
// the holder), host, command, and a random nonce.
// - It is created with link(2) from a fully written temporary file: it exists complete or not at
//   all, and only one process can create it.
// - A lock whose holder is dead (kill -9, a crash, a reboot) is taken over without manual cleanup.
//   Taking over replaces a file that another process may be replacing at the same moment, so the
//   right to replace one generation of the lock is claimed first, the same way: by creating
//   <lock>.takeover-<generation>. Only that file's creator replaces the generation (rename(2),
//   atomic), so two processes racing over a stale lock cannot both win. A taker that dies
//   mid-takeover leaves a stale claim, which the next process takes over by the same rule.
// - It is released on close, on process exit, and on SIGINT/SIGTERM when nothing else handles them.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const LOCK_FILE = "kvdeck.lock";
const TAKEOVER = ".takeover-";
const TEMPORARY = ".tmp";

export interface LockHolder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); null where there is no /proc. */
  startTime: string | null;
  bootId: string | null;
  host: string;
  command: string;
  since: string;
  nonce: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
    readonly lockFile: string,
  ) {
    super(lockedMessage(dir, holder, lockFile));
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock if it is still this process's. Idempotent. */
  release(): void;
}

/** Takes the data dir for this process, or throws DataDirLockedError naming the live holder. */
export function lockDataDir(dir: string): DataDirLock {
  const resolved = path.resolve(dir);
  fs.mkdirSync(resolved, { recursive: true });
  const file = path.join(resolved, LOCK_FILE);
  const holder = describeThisProcess();
  const mine = `${file}.${holder.nonce}${TEMPORARY}`;
  fs.writeFileSync(mine, `${JSON.stringify(holder)}\n`, { flag: "wx", mode: 0o644 });
  let outcome: Claim;
  try {
    outcome = claim(file, mine, holder);
  } finally {
    unlinkQuietly(mine);
  }
  if (!outcome.won) throw new DataDirLockedError(resolved, outcome.holder, outcome.file);
  removeLitter(resolved, holder);

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    if (readLock(file)?.holder?.nonce === holder.nonce) unlinkQuietly(file);
  };
  // A process that handles the signal itself shuts down through close(); otherwise release the
  // lock and die of the signal as the process would have without this listener.
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    release();
    process.kill(process.pid, signal);
  };
  process.on("exit", release);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return { file, holder, release };
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

type Claim = { won: true } | { won: false; holder: LockHolder; file: string };

/** Creates `target` as a link to `mine`, taking it over from a dead holder if need be. */
function claim(target: string, mine: string, me: LockHolder): Claim {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      fs.linkSync(mine, target);
      return { won: true };
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const current = readLock(target);
    if (!current) continue; // released meanwhile: try again
    if (current.holder && holderState(current.holder, me) !== "dead") return { won: false, holder: current.holder, file: target };
    // Its holder is dead (or it is not a lock record at all): first the right to replace it.
    const right = `${target}${TAKEOVER}${current.generation}`;
    const claimed = claim(right, mine, me);
    if (!claimed.won) return claimed; // a live process is taking it over right now: it wins
    try {
      if (readLock(target)?.generation === current.generation) {
        const replacement = `${right}${TEMPORARY}`;
        fs.linkSync(mine, replacement);
        try {
          fs.renameSync(replacement, target);
        } catch (error) {
          unlinkQuietly(replacement);
          throw error;
        }
        return { won: true };
      }
      // Someone took this generation over before we had the right: look again.
    } finally {
      unlinkQuietly(right);
    }
  }
  throw new Error(`kvdeck: could not take ${target}: it keeps changing`);
}

interface LockFile {
  /** Names one version of the file's content; takeover claims are named after it. */
  generation: string;
  /** Null when the file is not a lock record (e.g. emptied by a crash). */
  holder: LockHolder | null;
}

function readLock(file: string): LockFile | null {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw error;
  }
  return { generation: crypto.createHash("sha256").update(raw).digest("hex").slice(0, 16), holder: parseHolder(raw.toString("utf8")) };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(value.pid) || value.pid! <= 0 || typeof value.nonce !== "string" || typeof value.host !== "string") return null;
    return {
      pid: value.pid!,
      startTime: typeof value.startTime === "string" ? value.startTime : null,
      bootId: typeof value.bootId === "string" ? value.bootId : null,
      host: value.host,
      command: typeof value.command === "string" ? value.command : "",
      since: typeof value.since === "string" ? value.since : "",
      nonce: value.nonce,
    };
  } catch {
    return null;
  }
}

/** Whether a lock's holder still runs. "unknown": on another machine, which this process cannot look into. */
export function holderState(holder: LockHolder, me: LockHolder = describeThisProcess()): "alive" | "dead" | "unknown" {
  if (holder.host !== me.host) return "unknown";
  if (holder.bootId && me.bootId && holder.bootId !== me.bootId) return "dead";
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if (errorCode(error) === "ESRCH") return "dead";
    if (errorCode(error) !== "EPERM") throw error;
  }
  const startTime = processStartTime(holder.pid);
  if (holder.startTime && startTime && holder.startTime !== startTime) return "dead"; // the PID was reused
  return "alive";
}

function describeThisProcess(): LockHolder {
  return {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: readText("/proc/sys/kernel/random/boot_id"),
    host: os.hostname(),
    command: [path.basename(process.argv0), ...process.argv.slice(1).map((a) => path.relative(process.cwd(), a) || a)]
      .join(" ")
      .slice(0, 200),
    since: new Date().toISOString(),
    nonce: crypto.randomBytes(8).toString("hex"),
  };
}

export function processStartTime(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return null;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses; starttime is field 22.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
}

/** Takeover claims and temporary files left by processes that died mid-takeover. */
/**
 * A file with no holder record may be another process's temporary file between its creation and
 * its write (creating and writing are two steps): only one this old is litter.
 */
const UNREADABLE_LITTER_AGE_MS = 60_000;

function removeLitter(dir: string, me: LockHolder) {
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(`${LOCK_FILE}.`)) continue;
    const file = path.join(dir, name);
    const holder = readLock(file)?.holder;
    if (holder ? holderState(holder, me) === "dead" : olderThan(file, UNREADABLE_LITTER_AGE_MS)) unlinkQuietly(file);
  }
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > ms;
  } catch {
    return false; // gone already
  }
}

function lockedMessage(dir: string, holder: LockHolder, lockFile: string): string {
  const who = `PID ${holder.pid}${holder.command ? ` (${holder.command})` : ""}${holder.since ? `, since ${holder.since}` : ""}`;
  const state = holderState(holder);
  const fix =
    "PGlite serves one process per data dir: stop that process first, or run every process against one PostgreSQL server (DATABASE_URL).";
  if (state === "unknown") {
    return `kvdeck: the data dir ${dir} is locked by ${who} on host ${holder.host}, which kvdeck cannot check from here. ${fix} If no kvdeck process runs there any more, delete ${lockFile}.`;
  }
  const doing = lockFile.includes(TAKEOVER) ? "is being opened by" : "is in use by";
  const by = holder.pid === process.pid && state === "alive" ? `this process (${who})` : `another process, ${who}`;
  return `kvdeck: the data dir ${dir} ${doing} ${by}. ${fix}`;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

function unlinkQuietly(file: string) {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
