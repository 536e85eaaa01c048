// A catalog as the pages see it (shared with the browser): its state, age, size and schedule.
import type { Catalog } from "~/db/schema";

export interface CatalogSummary {
  state: Catalog["state"];
  /** ISO time the last finished listing began (every key written before it is in the catalog); null before the first. */
  asOf: string | null;
  keyCount: number;
  bytes: number;
  /** A listing is under way (its job). */
  scanJobId: string | null;
  refreshEveryMs: number | null;
}

export const catalogSummary = (catalog: Catalog | null): CatalogSummary | null =>
  catalog && {
    state: catalog.state,
    asOf: catalog.asOf?.toISOString() ?? null,
    keyCount: catalog.keyCount,
    bytes: catalog.bytes,
    scanJobId: catalog.scanJobId,
    refreshEveryMs: catalog.refreshEveryMs,
  };

/** The refresh intervals an admin can choose from (null: by hand only). */
export const REFRESH_CHOICES: { label: string; ms: number | null }[] = [
  { label: "By hand only", ms: null },
  { label: "Every hour", ms: 3_600_000 },
  { label: "Every 6 hours", ms: 6 * 3_600_000 },
  { label: "Nightly (every 24 hours)", ms: 24 * 3_600_000 },
  { label: "Weekly", ms: 7 * 24 * 3_600_000 },
];
