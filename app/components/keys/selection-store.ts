// The keys selected on a namespace page, outside React state: each row subscribes to its own key,
// so a click re-renders the rows whose checkbox changed (and what shows the count), never every
// loaded row. Changes cost what they touch: a toggle O(1), a range O(range), select all O(rows)
// once; listeners are told for the keys that changed among those subscribed (the rows in view).
// Pure: use-selection.ts reads it from React (useSyncExternalStore).

export interface SelectionStore {
  has(name: string): boolean;
  /** How many keys are selected. */
  size(): number;
  /** Bumped by every change: a snapshot for what depends on the whole selection. */
  version(): number;
  /** The selected keys, in the order they were selected. */
  names(): string[];
  /**
   * A click on row `index` of `rows` (or space on it): it flips; with shift, every row from the
   * last one clicked to this one takes the state this row takes.
   */
  pick(index: number, shift: boolean, rows: readonly { name: string }[]): void;
  /** The first `count` rows were let go: a shift-click's range starts `count` rows earlier (or afresh). */
  rowsDropped(count: number): void;
  /** Exactly these keys, in this order (select all loaded rows). */
  selectAll(names: Iterable<string>): void;
  clear(): void;
  /** Unselects these keys (they were deleted). */
  remove(names: Iterable<string>): void;
  /** Told when `name` is selected or unselected. */
  subscribeKey(name: string, listener: () => void): () => void;
  /** Told after every change. */
  subscribe(listener: () => void): () => void;
}

export function createSelectionStore(): SelectionStore {
  let selected = new Set<string>();
  let version = 0;
  /** The row a shift-click's range starts from: the last one clicked. */
  let anchor: number | null = null;
  const keyListeners = new Map<string, Set<() => void>>();
  const listeners = new Set<() => void>();

  const notifyKey = (name: string) => {
    const subscribed = keyListeners.get(name);
    if (subscribed) for (const listener of [...subscribed]) listener();
  };
  const changed = (names: string[]) => {
    if (names.length === 0) return;
    version++;
    for (const name of names) notifyKey(name);
    for (const listener of [...listeners]) listener();
  };
  /** Replaces the whole set: only subscribed keys can have a listener to tell. */
  const replace = (next: Set<string>) => {
    const before = selected;
    selected = next;
    const flipped = [...keyListeners.keys()].filter((name) => before.has(name) !== next.has(name));
    if (before.size === 0 && next.size === 0) return;
    version++;
    for (const name of flipped) notifyKey(name);
    for (const listener of [...listeners]) listener();
  };

  return {
    has: (name) => selected.has(name),
    size: () => selected.size,
    version: () => version,
    names: () => [...selected],
    pick(index, shift, rows) {
      if (index < 0 || index >= rows.length) return;
      const selecting = !selected.has(rows[index].name);
      // Rows may have gone since the last click: the range stops at the last row.
      const start = anchor === null ? null : Math.min(anchor, rows.length - 1);
      const [from, to] = shift && start !== null ? (start < index ? [start, index] : [index, start]) : [index, index];
      anchor = index;
      const flipped: string[] = [];
      for (let i = from; i <= to; i++) {
        const name = rows[i].name;
        if (selected.has(name) === selecting) continue;
        if (selecting) selected.add(name);
        else selected.delete(name);
        flipped.push(name);
      }
      changed(flipped);
    },
    rowsDropped(count) {
      if (anchor !== null) anchor = anchor >= count ? anchor - count : null;
    },
    selectAll(names) {
      replace(new Set(names));
    },
    clear() {
      replace(new Set());
    },
    remove(names) {
      const flipped: string[] = [];
      for (const name of names) if (selected.delete(name)) flipped.push(name);
      changed(flipped);
    },
    subscribeKey(name, listener) {
      let subscribed = keyListeners.get(name);
      if (!subscribed) keyListeners.set(name, (subscribed = new Set()));
      subscribed.add(listener);
      return () => {
        subscribed.delete(listener);
        if (subscribed.size === 0 && keyListeners.get(name) === subscribed) keyListeners.delete(name);
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
