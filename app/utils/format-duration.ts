// Durations and rates for job progress.

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 1) return "less than a second";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${rest} s`;
  return `${rest} s`;
}

export function formatRate(keysPerSecond: number | null): string {
  if (keysPerSecond === null || !Number.isFinite(keysPerSecond)) return "—";
  return `${new Intl.NumberFormat("en", { maximumFractionDigits: keysPerSecond < 10 ? 1 : 0 }).format(keysPerSecond)} keys/s`;
}
