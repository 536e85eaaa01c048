// The selection's rules (click, shift-click range, select all, clear, remove) and whom it tells:
// only the rows whose key changed, so that a click renders one row, not every loaded one.
import { describe, expect, test } from "vitest";
import { createSelectionStore, type SelectionStore } from "./selection-store";

const rows = Array.from({ length: 20 }, (_, i) => ({ name: `k${String(i).padStart(2, "0")}` }));
const names = (...indexes: number[]) => indexes.map((i) => rows[i].name);
const range = (from: number, to: number) => names(...Array.from({ length: to - from + 1 }, (_, i) => from + i));

/** Counts the notifications of each subscribed key, and of the store as a whole. */
function watch(store: SelectionStore, keys: string[]) {
  const calls = new Map<string, number>(keys.map((k) => [k, 0]));
  const unsubscribe = keys.map((k) => store.subscribeKey(k, () => calls.set(k, calls.get(k)! + 1)));
  let all = 0;
  unsubscribe.push(store.subscribe(() => all++));
  return {
    /** The keys told since the last call, and resets the counts. */
    told() {
      const out = [...calls].filter(([, n]) => n > 0).map(([k]) => k);
      for (const k of calls.keys()) calls.set(k, 0);
      const whole = all;
      all = 0;
      return { keys: out, whole };
    },
    stop: () => unsubscribe.forEach((u) => u()),
  };
}

describe("a click", () => {
  test("selects an unselected row and unselects a selected one", () => {
    const store = createSelectionStore();
    store.pick(3, false, rows);
    store.pick(5, false, rows);
    expect(store.names()).toEqual(names(3, 5));
    store.pick(3, false, rows);
    expect(store.names()).toEqual(names(5));
    expect(store.has(rows[3].name)).toBe(false);
    expect(store.size()).toBe(1);
  });

  test("a row outside the rows does nothing", () => {
    const store = createSelectionStore();
    store.pick(20, false, rows);
    store.pick(-1, true, rows);
    expect(store.size()).toBe(0);
  });
});

describe("a shift-click range", () => {
  test("selects every row from the last one clicked to this one, both ends included, either direction", () => {
    const store = createSelectionStore();
    store.pick(4, false, rows);
    store.pick(8, true, rows);
    expect(store.names()).toEqual(range(4, 8));
    store.clear();
    store.pick(12, false, rows);
    store.pick(9, true, rows);
    expect(store.names().sort()).toEqual(range(9, 12));
  });

  test("the range takes the state the clicked row takes: from a selected row, it unselects", () => {
    const store = createSelectionStore();
    store.selectAll(rows.map((r) => r.name));
    store.pick(2, false, rows); // unselects 2; the anchor is 2
    store.pick(6, true, rows); // 6 was selected: the range 2..6 becomes unselected
    expect(store.has(rows[1].name)).toBe(true);
    for (const name of range(2, 6)) expect(store.has(name)).toBe(false);
    expect(store.has(rows[7].name)).toBe(true);
    expect(store.size()).toBe(15);
  });

  test("keeps what was selected outside the range, and starts from the last click, not the first", () => {
    const store = createSelectionStore();
    store.pick(0, false, rows);
    store.pick(10, false, rows);
    store.pick(12, true, rows);
    expect(store.names()).toEqual([...names(0), ...range(10, 12)]);
  });

  test("without an earlier click, shift-click selects one row", () => {
    const store = createSelectionStore();
    store.pick(7, true, rows);
    expect(store.names()).toEqual(names(7));
  });

  test("when rows went away under the anchor, the range stops at the last row", () => {
    const store = createSelectionStore();
    store.pick(18, false, rows);
    store.pick(18, false, rows); // unselected again; the anchor stays 18
    const fewer = rows.slice(0, 10);
    store.pick(7, true, fewer);
    expect(store.names().sort()).toEqual(range(7, 9));
  });
});

describe("select all, clear, remove", () => {
  test("select all is exactly the given keys, in their order; clear empties", () => {
    const store = createSelectionStore();
    store.pick(19, false, rows);
    store.selectAll(names(2, 1, 0));
    expect(store.names()).toEqual(names(2, 1, 0));
    store.clear();
    expect(store.size()).toBe(0);
    expect(store.names()).toEqual([]);
  });

  test("remove unselects the deleted keys and keeps the others in order", () => {
    const store = createSelectionStore();
    store.selectAll(range(0, 5));
    store.remove([...names(1, 4), "not-selected"]);
    expect(store.names()).toEqual(names(0, 2, 3, 5));
  });
});

describe("subscriptions", () => {
  test("a click tells that row's key only", () => {
    const store = createSelectionStore();
    const w = watch(store, names(0, 1, 2, 3));
    store.pick(1, false, rows);
    expect(w.told()).toEqual({ keys: names(1), whole: 1 });
    store.pick(1, false, rows);
    expect(w.told()).toEqual({ keys: names(1), whole: 1 });
  });

  test("a range tells the keys it flipped, not those already in the state it sets", () => {
    const store = createSelectionStore();
    const w = watch(store, range(0, 9));
    store.pick(3, false, rows);
    w.told();
    store.pick(5, false, rows);
    w.told();
    store.pick(8, true, rows); // 5..8: 5 is selected already
    expect(w.told()).toEqual({ keys: range(6, 8), whole: 1 });
    expect(store.names()).toEqual([...names(3), ...range(5, 8)]);
  });

  test("select all and clear tell the subscribed keys that changed, and nobody when nothing did", () => {
    const store = createSelectionStore();
    const w = watch(store, names(0, 1, 2));
    store.pick(1, false, rows);
    w.told();
    store.selectAll(rows.map((r) => r.name));
    expect(w.told()).toEqual({ keys: names(0, 2), whole: 1 });
    store.clear();
    expect(w.told()).toEqual({ keys: names(0, 1, 2), whole: 1 });
    store.clear();
    store.remove(names(0));
    store.pick(1, true, []);
    expect(w.told()).toEqual({ keys: [], whole: 0 });
  });

  test("remove tells the removed keys only; the version changes with every change", () => {
    const store = createSelectionStore();
    const w = watch(store, names(0, 1, 2));
    store.selectAll(names(0, 1, 2));
    w.told();
    const version = store.version();
    store.remove(names(1));
    expect(w.told()).toEqual({ keys: names(1), whole: 1 });
    expect(store.version()).toBeGreaterThan(version);
  });

  test("an unsubscribed row is not told; other rows of the same key still are", () => {
    const store = createSelectionStore();
    let first = 0;
    let second = 0;
    const stopFirst = store.subscribeKey(rows[0].name, () => first++);
    store.subscribeKey(rows[0].name, () => second++);
    store.pick(0, false, rows);
    stopFirst();
    store.pick(0, false, rows);
    store.selectAll(names(0));
    expect([first, second]).toEqual([1, 3]);
  });
});

test("after rows are let go at the start, a shift-click's range starts from the same row as before", () => {
  const all = Array.from({ length: 10 }, (_, i) => ({ name: `k${i}` }));
  const store = createSelectionStore();
  store.pick(6, false, all); // k6 is the anchor
  const window = all.slice(4); // k0..k3 let go: k6 is now index 2
  store.rowsDropped(4);
  store.pick(4, true, window); // shift-click k8
  expect(store.names().sort()).toEqual(["k6", "k7", "k8"]);

  store.clear();
  store.pick(1, false, window); // selects k5, the anchor (index 1)
  store.rowsDropped(3); // k5's row let go (it stays selected): the next shift-click starts afresh
  store.pick(2, true, all.slice(7));
  expect(store.names().sort()).toEqual(["k5", "k9"]);
});
