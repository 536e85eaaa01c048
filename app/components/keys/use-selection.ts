// The selection store (selection-store.ts) as React reads it: a row reads its own key, the toolbar
// and the select-all checkbox read the count, so a click renders only what it changed.
import { useCallback, useSyncExternalStore } from "react";
import type { SelectionStore } from "./selection-store";

const never = () => () => {};

export function useIsSelected(store: SelectionStore | null, name: string): boolean {
  const subscribe = useCallback((listener: () => void) => (store ? store.subscribeKey(name, listener) : () => {}), [store, name]);
  return useSyncExternalStore(
    subscribe,
    () => store?.has(name) ?? false,
    () => false,
  );
}

export function useSelectedCount(store: SelectionStore | null): number {
  return useSyncExternalStore(
    store?.subscribe ?? never,
    () => store?.size() ?? 0,
    () => 0,
  );
}

/** Changes with every change of the selection: for what depends on all of it (is every row selected?). */
export function useSelectionVersion(store: SelectionStore | null): number {
  return useSyncExternalStore(
    store?.subscribe ?? never,
    () => store?.version() ?? 0,
    () => 0,
  );
}
