// A process that stops through server/shutdown.ts, for server/shutdown.test.ts. Not a test itself.
// Prints "ready" once its handlers are installed; its close() prints "closing" and finishes when a
// line arrives on stdin, then prints "closed".
import readline from "node:readline";
import { closeOnSignals } from "../../server/shutdown";

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
closeOnSignals({
  name: "shutdown-child",
  stopping: "stopping",
  close: async () => {
    console.log("closing");
    await lines.next();
    console.log("closed");
  },
});
console.log("ready");
// Stay alive until a signal: an empty event loop would end the process by itself.
setInterval(() => {}, 60_000);
