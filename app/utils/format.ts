// Formatting for people: sizes, relative and absolute times.

const UNITS = ["B", "KiB", "MiB", "GiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "in 3 days", "5 minutes ago", relative to `nowMs`. */
export function formatRelative(epochSeconds: number, nowMs: number): string {
  const delta = epochSeconds - nowMs / 1000;
  const abs = Math.abs(delta);
  for (const [unit, seconds] of RELATIVE_STEPS) {
    if (abs >= seconds || unit === "second") return relativeFormat.format(Math.round(delta / seconds), unit);
  }
  return "";
}

/** An absolute UTC time, the same on server and browser (no hydration mismatch). */
export function formatAbsolute(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat("en").format(n);
}
