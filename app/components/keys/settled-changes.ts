// The answers of key changes, as the namespace route's clientAction receives them. A fetcher's
// answer is readable only through a mounted useFetcher of its key; this log lets one hook
// (use-row-states.ts) see every answer without a component per submission.
import type { KeyChange, SettledChange } from "./row-states";

export interface SettledEntry {
  /** The namespace page the change was posted to (its action's path). */
  base: string;
  settled: SettledChange;
}

export function createSettledLog() {
  let entries: readonly SettledEntry[] = [];
  let seq = 0;
  const changed = new Set<() => void>();
  const recorded = new Set<(entry: SettledEntry) => void>();
  return {
    record(base: string, change: KeyChange, answer: unknown): SettledEntry {
      const entry = { base, settled: { seq: ++seq, change, answer } as SettledChange };
      entries = [...entries, entry];
      for (const listener of changed) listener();
      for (const listener of recorded) listener(entry);
      return entry;
    },
    /** Drops what a newer load of `base` already shows (entries up to `seq`). */
    forget(base: string, throughSeq: number) {
      const kept = entries.filter((e) => e.base !== base || e.settled.seq > throughSeq);
      if (kept.length === entries.length) return;
      entries = kept;
      for (const listener of changed) listener();
    },
    /** The entries, oldest first; a new array after each record or forget. */
    entries: () => entries,
    lastSeq: () => seq,
    /** For useSyncExternalStore: called after every record and forget. */
    subscribe(listener: () => void) {
      changed.add(listener);
      return () => {
        changed.delete(listener);
      };
    },
    /** Called once per answer, as it arrives. */
    onRecord(listener: (entry: SettledEntry) => void) {
      recorded.add(listener);
      return () => {
        recorded.delete(listener);
      };
    },
  };
}

/** The browser's log (a clientAction runs only there). */
export const settledChanges = createSettledLog();
