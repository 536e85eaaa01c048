// How a kvdeck process stops, the same for the web server and the worker: SIGINT or SIGTERM (or an
// uncaught error) runs `close` once; a second signal, or close taking longer than the timeout,
// exits at once with status 1.
import closeWithGrace from "close-with-grace";

/** Long enough for running jobs to save their place and hand their leases back. */
export const SHUTDOWN_TIMEOUT_MS = 30_000;

export function closeOnSignals(options: { name: string; stopping: string; close: () => Promise<void> }): void {
  closeWithGrace(
    {
      delay: SHUTDOWN_TIMEOUT_MS,
      onSecondSignal: (signal) => console.error(`${options.name}: ${signal} again, exiting now`),
      onTimeout: (delay) => console.error(`${options.name}: not stopped after ${delay / 1000} s, exiting now`),
    },
    async ({ signal, err }) => {
      if (err) console.error(err);
      if (signal) console.log(`${options.name}: ${signal}, ${options.stopping}`);
      await options.close();
    },
  );
}
