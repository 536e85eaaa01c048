// A process that takes a data dir's lock (app/db/data-dir-lock.server.ts) for a test that spawned
// it, so the test can kill it with SIGKILL or race two of them. Not a test itself.
//   LOCK_DIR   the directory to lock
//   WAIT_GO    if set, prints {"ready": pid} and takes the lock only when a line arrives on stdin
// Prints {"won": pid} and holds the lock until stdin ends (then releases it and exits 0), or
// {"refused": message, "holder": pid} and exits 1.
import readline from "node:readline";
import { DataDirLockedError, lockDataDir } from "~/db/data-dir-lock.server";

const print = (event: unknown) => process.stdout.write(`${JSON.stringify(event)}\n`);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

if (process.env.WAIT_GO) {
  print({ ready: process.pid });
  await lines.next();
}
try {
  const lock = lockDataDir(process.env.LOCK_DIR!);
  print({ won: process.pid });
  while (!(await lines.next()).done);
  lock.release();
  process.exit(0);
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error;
  print({ refused: error.message, holder: error.holder.pid });
  process.exit(1);
}
