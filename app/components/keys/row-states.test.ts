// The pending-change model as a pure function: loaded rows + answered changes + changes in
// flight → what each row shows.
import { describe, expect, test, vi } from "vitest";
import { clientMeta } from "~/cache/types";
import { toastOf } from "./change-toasts";
import { changeOf, rowStates, type KeyChange, type KeyRow, type RowStateInput, type SettledChange, type UndoAnswer } from "./row-states";
import { createSettledLog } from "./settled-changes";

const rows: KeyRow[] = ["a", "b", "c", "e"].map((name) => ({ name }));
const view = (patch: Partial<RowStateInput>): RowStateInput => ({
  rows,
  settled: [],
  inflight: [],
  prefix: "",
  hasMore: false,
  matches: () => true,
  ...patch,
});
const names = (out: KeyRow[]) => out.map((r) => r.name);
const statusOf = (out: KeyRow[], name: string) => out.find((r) => r.name === name)?._meta?.status;

let seq = 0;
function deleted(names: string[], failed: { key: string; error: string }[] = [], copied?: number): SettledChange {
  const summary = {
    opId: `op-${seq + 1}`,
    requested: names.length,
    succeeded: names.length - failed.length,
    failed,
    ...(copied !== undefined ? { copy: { keys: copied, bytes: copied * 10 } } : {}),
  };
  return { seq: ++seq, change: { intent: "delete", names }, answer: { intent: "delete", ok: true, summary } };
}
function undone(names: string[], answer: UndoAnswer | null): SettledChange {
  return { seq: ++seq, change: { intent: "undo", deletion: "op-1", names }, answer };
}
const restoredRow = (name: string, opId = "op-r"): KeyRow => ({ name, _meta: clientMeta({ status: "creating", intent: "create", opId }) });
const dismissed = (name: string): SettledChange => ({ seq: ++seq, change: { intent: "dismiss", name }, answer: { ok: true } });

describe("deletes", () => {
  test("a submitted delete hides its rows at once", () => {
    const out = rowStates(view({ inflight: [{ intent: "delete", names: ["b", "c"] }] }));
    expect(names(out)).toEqual(["a", "e"]);
  });

  test("a finished delete keeps the deleted rows hidden and shows the refused one with its reason", () => {
    const out = rowStates(view({ settled: [deleted(["b", "c"], [{ key: "c", error: "Internal error" }])] }));
    expect(names(out)).toEqual(["a", "c", "e"]);
    expect(out[1]._meta).toMatchObject({ status: "error", intent: "delete", error: "Internal error", opId: expect.any(String) });
  });

  test("a delete refused as a whole, or that never reached kvdeck, deletes nothing", () => {
    const refused: SettledChange = {
      seq: ++seq,
      change: { intent: "delete", names: ["a"] },
      answer: { intent: "delete", ok: false, error: "No." },
    };
    const lost: SettledChange = { seq: ++seq, change: { intent: "delete", names: ["b"] }, answer: null };
    expect(names(rowStates(view({ settled: [refused, lost] })))).toEqual(["a", "b", "c", "e"]);
  });

  test("after a reload the server's 'deleting' mark still hides the row; its 'error' mark shows", () => {
    const loaded = [
      { name: "a", _meta: clientMeta({ status: "deleting", intent: "delete" }) },
      { name: "b", _meta: clientMeta({ status: "error", intent: "delete", error: "refused" }) },
    ];
    const out = rowStates(view({ rows: loaded }));
    expect(names(out)).toEqual(["b"]);
    expect(statusOf(out, "b")).toBe("error");
  });

  test("the server's retrying and updating marks pass through to the row", () => {
    const loaded = [
      { name: "a", _meta: clientMeta({ status: "retrying", intent: "delete", retryCount: 1, maxRetries: 3 }) },
      { name: "b", _meta: clientMeta({ status: "updating", intent: "update" }) },
    ];
    const out = rowStates(view({ rows: loaded }));
    expect(out.map((r) => [r.name, r._meta?.status, r._meta?.retryCount])).toEqual([
      ["a", "retrying", 1],
      ["b", "updating", 0],
    ]);
  });

  test("a newer successful retry clears an old failure, from the server or from this page", () => {
    const failedHere = deleted(["c"], [{ key: "c", error: "x" }]);
    expect(names(rowStates(view({ settled: [failedHere, deleted(["c"])] })))).toEqual(["a", "b", "e"]);
    const loaded = [{ name: "c", _meta: clientMeta({ status: "error", intent: "delete", error: "x" }) }];
    expect(names(rowStates(view({ rows: loaded, settled: [deleted(["c"])] })))).toEqual([]);
  });

  test("a retry in flight hides the failed row until it answers", () => {
    const failedHere = deleted(["c"], [{ key: "c", error: "x" }]);
    const out = rowStates(view({ settled: [failedHere], inflight: [{ intent: "delete", names: ["c"] }] }));
    expect(names(out)).toEqual(["a", "b", "e"]);
  });

  test("dismissing a failure, in flight or answered, puts the row back without a mark; a later failure shows again", () => {
    const failedHere = deleted(["c"], [{ key: "c", error: "x" }]);
    expect(statusOf(rowStates(view({ settled: [failedHere], inflight: [{ intent: "dismiss", name: "c" }] })), "c")).toBeUndefined();
    const gone = dismissed("c");
    expect(statusOf(rowStates(view({ settled: [failedHere, gone] })), "c")).toBeUndefined();
    expect(statusOf(rowStates(view({ settled: [failedHere, gone, deleted(["c"], [{ key: "c", error: "y" }])] })), "c")).toBe("error");
  });
});

describe("writes", () => {
  test("an edit in flight marks its row updating and keeps its data", () => {
    const loaded = [{ name: "a", metadata: { n: 1 } }];
    const out = rowStates(view({ rows: loaded, inflight: [{ intent: "put", name: "a", mode: "edit" }] }));
    expect(out).toEqual([{ name: "a", metadata: { n: 1 }, _meta: expect.objectContaining({ status: "updating", intent: "update" }) }]);
  });

  test("a create in flight shows its row where it sorts, marked creating", () => {
    const out = rowStates(view({ inflight: [{ intent: "put", name: "d", mode: "create" }] }));
    expect(names(out)).toEqual(["a", "b", "c", "d", "e"]);
    expect(statusOf(out, "d")).toBe("creating");
  });

  test("a saved key replaces its row with the server's answer; a new one is inserted only if it belongs on the page", () => {
    const saved = (row: KeyRow): SettledChange => ({
      seq: ++seq,
      change: { intent: "put", name: row.name, mode: "create" },
      answer: { intent: "put", ok: true, row },
    });
    const mark = clientMeta({ status: "creating", intent: "create" });
    const out = rowStates(view({ settled: [saved({ name: "d", metadata: { x: 1 }, _meta: mark })] }));
    expect(out[3]).toEqual({ name: "d", metadata: { x: 1 }, _meta: mark });
    // Past the last loaded key while more follow: its page is not loaded yet.
    expect(names(rowStates(view({ hasMore: true, settled: [saved({ name: "f" })] })))).toEqual(["a", "b", "c", "e"]);
    // Outside the prefix, or failing the filter.
    expect(names(rowStates(view({ prefix: "a", rows: [{ name: "a" }], settled: [saved({ name: "b" })] })))).toEqual(["a"]);
    expect(names(rowStates(view({ matches: (r) => r.metadata !== undefined, settled: [saved({ name: "d" })] })))).toEqual(names(rows));
  });

  test("a key deleted and then created again shows: the newest change wins", () => {
    const recreated: SettledChange = {
      seq: ++seq,
      change: { intent: "put", name: "b", mode: "create" },
      answer: { intent: "put", ok: true, row: { name: "b", _meta: clientMeta({ status: "creating", intent: "create" }) } },
    };
    expect(statusOf(rowStates(view({ settled: [deleted(["b"]), recreated] })), "b")).toBe("creating");
  });
});

test("changeOf reads the key forms and nothing else", () => {
  const form = (entries: [string, string][]) => {
    const f = new FormData();
    for (const [k, v] of entries) f.append(k, v);
    return f;
  };
  expect(
    changeOf(
      form([
        ["intent", "delete"],
        ["name", "a"],
        ["name", "b"],
      ]),
    ),
  ).toEqual({ intent: "delete", names: ["a", "b"] });
  expect(
    changeOf(
      form([
        ["intent", "put"],
        ["name", "a"],
        ["mode", "create"],
      ]),
    ),
  ).toEqual({ intent: "put", name: "a", mode: "create" });
  expect(
    changeOf(
      form([
        ["intent", "dismiss"],
        ["name", "a"],
        ["opId", "o"],
      ]),
    ),
  ).toEqual({ intent: "dismiss", name: "a" });
  expect(changeOf(form([["kind", "delete-selected"]]))).toBeNull();
  expect(changeOf(undefined)).toBeNull();
});

test("the log numbers answers, tells its listeners, and forgets what a newer load shows", () => {
  const log = createSettledLog();
  const heard: number[] = [];
  let changed = 0;
  const stopRecord = log.onRecord((e) => heard.push(e.settled.seq));
  const stopChanged = log.subscribe(() => changed++);
  const change: KeyChange = { intent: "dismiss", name: "a" };
  log.record("/ns/1", change, null);
  log.record("/ns/2", change, null);
  log.record("/ns/1", change, null);
  expect(heard).toEqual([1, 2, 3]);
  const before = log.entries();
  log.forget("/ns/1", 2);
  expect(log.entries()).not.toBe(before);
  expect(log.entries().map((e) => [e.base, e.settled.seq])).toEqual([
    ["/ns/2", 2],
    ["/ns/1", 3],
  ]);
  expect(changed).toBe(4);
  stopRecord();
  stopChanged();
  log.record("/ns/1", change, null);
  expect([heard.length, changed, log.lastSeq()]).toEqual([3, 4, 4]);
});

test("a delete's answer says how it went", () => {
  expect(toastOf(deleted(["a", "b"]))).toEqual({ variant: "success", title: "Deleted 2 keys", description: "No copy was kept." });
  expect(toastOf(deleted(["a", "b"], [{ key: "b", error: "no" }]))).toEqual({
    variant: "error",
    title: "Deleted 1 of 2 keys; 1 failed",
    details: [{ label: "b", detail: "no" }],
  });
  expect(toastOf({ seq: ++seq, change: { intent: "delete", names: ["a"] }, answer: null })).toMatchObject({ title: "Delete failed" });
  expect(toastOf(dismissed("a"))).toBeNull();
});

describe("undo", () => {
  test("a delete that kept a copy offers Undo, which restores that delete's keys", () => {
    const undo = vi.fn();
    const toast = toastOf(deleted(["a", "b"], [], 2), undo);
    expect(toast).toMatchObject({ variant: "success", title: "Deleted 2 keys", description: "A copy is in the recycle bin." });
    toast!.action!.onClick();
    expect(undo).toHaveBeenCalledWith(expect.stringMatching(/^op-/), ["a", "b"]);
    // No copy (skipped, or none of the keys existed): nothing to undo.
    expect(toastOf(deleted(["a"]), undo)?.action).toBeUndefined();
    expect(toastOf(deleted(["a"], [], 0), undo)?.action).toBeUndefined();
  });

  test("an undo in flight brings the deleted rows back at once, as restoring", () => {
    const gone = deleted(["b", "c"], [], 2);
    const out = rowStates(view({ settled: [gone], inflight: [{ intent: "undo", deletion: "op-1", names: ["b", "c"] }] }));
    expect(names(out)).toEqual(["a", "b", "c", "e"]);
    expect(out.filter((r) => r._meta).map((r) => [r.name, r._meta?.status, r._meta?.message])).toEqual([
      ["b", "creating", "Restoring"],
      ["c", "creating", "Restoring"],
    ]);
  });

  test("an answered undo shows restored rows as creating, a re-written key as listed, a refused one with its error", () => {
    const gone = deleted(["b", "c", "e"], [], 3);
    const summary = {
      deletion: "op-1",
      opId: "op-r",
      restored: [restoredRow("b")],
      conflicts: ["c"],
      expired: [],
      failed: [{ key: "e", error: "Not restored: refused" }],
    };
    const out = rowStates(view({ settled: [gone, undone(["b", "c", "e"], { intent: "undo", ok: true, summary })] }));
    expect(out.map((r) => [r.name, r._meta?.status ?? null, r._meta?.error ?? null])).toEqual([
      ["a", null, null],
      ["b", "creating", null],
      ["c", null, null],
      ["e", "error", "Not restored: refused"],
    ]);
    expect(toastOf(undone(["b", "c", "e"], { intent: "undo", ok: true, summary }))).toMatchObject({
      variant: "error",
      title: "Restored 1 of 3 keys; 2 not restored",
    });
  });

  test("a refused undo leaves the rows deleted and says why", () => {
    const gone = deleted(["b"], [], 1);
    const refused = undone(["b"], { intent: "undo", ok: false, error: "The namespace x no longer exists upstream" });
    expect(names(rowStates(view({ settled: [gone, refused] })))).toEqual(["a", "c", "e"]);
    expect(toastOf(refused)).toMatchObject({
      variant: "error",
      title: "Undo failed",
      description: "The namespace x no longer exists upstream",
    });
  });

  test("an undo that became a restore job shows every row as restoring", () => {
    const gone = deleted(["b", "c"], [], 2);
    const out = rowStates(view({ settled: [gone, undone(["b", "c"], { intent: "undo", ok: true, job: { id: "job-1" } })] }));
    expect(out.filter((r) => r._meta).map((r) => [r.name, r._meta?.status, r._meta?.opId])).toEqual([
      ["b", "creating", "job-1"],
      ["c", "creating", "job-1"],
    ]);
  });
});
