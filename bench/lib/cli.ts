// What every benchmark prints and parses: `--name value` options, the machine's load, medians.
import { loadavg } from "node:os";

/** The value after `--name` on the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** The load averages (1, 5, 15 min), for the figures' context on a shared machine. */
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
