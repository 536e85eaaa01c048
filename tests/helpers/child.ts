// The child processes a test file starts and watches (the compiled server, `npm run kv-api`, a
// lock holder): node itself runs each script (with `--import tsx` for TypeScript, never the tsx
// wrapper, whose script runs in a grandchild), so the child's PID is the one that holds a lock or
// gets a signal. Its environment is the test's: a developer's own CLOUDFLARE_*, KVDECK_*,
// DATABASE_URL or NODE_OPTIONS never leak in. Startups wait on the child's own output, never on a
// clock. useChildren() kills whatever a test left running (SIGKILL) after it, and waits for it.
import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";
import { afterEach } from "vitest";

export interface Child {
  process: ChildProcess;
  /** stdout and stderr, as printed so far. */
  output: () => string;
  /** Resolves with the match of the first output line matching `pattern`; rejects if the child exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  /** Keep stdin open, for a child that waits for the test's word ("go"). */
  stdin?: boolean;
}

/** `spawn(args, env)`: node with `args` (a script, or `--import tsx` and a script) and only `env` on top of a clean environment. */
export function useChildren(): (args: string[], env: Record<string, string>, options?: SpawnOptions) => Child {
  const running: ChildProcess[] = [];
  afterEach(async () => {
    const children = running.splice(0);
    const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
    const gone = alive.map((child) => new Promise((resolve) => child.once("exit", resolve)));
    for (const child of alive) if (child.pid) process.kill(child.pid, "SIGKILL");
    await Promise.all(gone);
  });
  return (args, env, options = {}) => {
    const child = spawn(process.execPath, args, {
      env: { ...cleanEnv(), ...env },
      stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    running.push(child);
    return watch(child, args.join(" "));
  };
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(CLOUDFLARE_|KVDECK_|DATABASE_URL$|NODE_OPTIONS$)/.test(name)) delete env[name];
  return env;
}

function watch(child: ChildProcess, name: string): Child {
  let out = "";
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void; reject: (error: Error) => void }[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const onLine = (line: string) => {
    lines.push(line);
    for (const w of waiters.splice(0)) {
      const match = line.match(w.pattern);
      if (match) w.resolve(match);
      else waiters.push(w);
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (d) => (out += d));
    readline.createInterface({ input: stream }).on("line", onLine);
  }
  // "close" comes after the last of its output has been read ("exit" may come before).
  let closed = false;
  child.once("close", (code) => {
    closed = true;
    for (const w of waiters.splice(0)) w.reject(new Error(`${name} exited (${code}) before printing ${w.pattern}:\n${out}`));
  });
  return {
    process: child,
    output: () => out,
    exited,
    waitFor(pattern) {
      for (const line of lines) {
        const match = line.match(pattern);
        if (match) return Promise.resolve(match);
      }
      if (closed) return Promise.reject(new Error(`${name} has exited:\n${out}`));
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
  };
}
