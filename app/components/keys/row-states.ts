// The one place that decides what a key row shows in the browser: the loaded rows (each with the
// server's `_meta`), the changes still in flight (their fetchers' form data), and the changes that
// have answered since these rows were loaded. Pure: use-row-states.ts feeds it from Remix.
import { clientMeta, type OverlayMeta } from "~/cache/types";
import type { DeleteSummary } from "~/features/keys/mutations.server";
import type { RestoreSummary } from "~/features/recycle/restore.server";
import { compareKeys } from "~/kv/key-order";

export interface KeyRow {
  name: string;
  expiration?: number;
  metadata?: unknown;
  _meta?: OverlayMeta;
}

/** A change to keys, as its form asked for it. */
export type KeyChange =
  | { intent: "delete"; names: string[] }
  | { intent: "put"; name: string; mode: "create" | "edit" }
  | { intent: "dismiss"; name: string }
  | { intent: "undo"; deletion: string; names: string[] };

export type DeleteAnswer = { intent: "delete"; ok: true; summary: DeleteSummary } | { intent: "delete"; ok: false; error: string };
export type PutAnswer = { intent: "put"; ok: true; row: KeyRow } | { intent: "put"; ok: false; error: string };
/** An undo restores inline (its summary) or, for many keys, starts a restore job. */
export type UndoAnswer =
  | { intent: "undo"; ok: true; summary: RestoreSummary }
  | { intent: "undo"; ok: true; job: { id: string } }
  | { intent: "undo"; ok: false; error: string };

/** A change that has answered: `answer` is null when the request did not reach kvdeck. */
export type SettledChange = { seq: number } & (
  | { change: Extract<KeyChange, { intent: "delete" }>; answer: DeleteAnswer | null }
  | { change: Extract<KeyChange, { intent: "put" }>; answer: PutAnswer | null }
  | { change: Extract<KeyChange, { intent: "dismiss" }>; answer: unknown }
  | { change: Extract<KeyChange, { intent: "undo" }>; answer: UndoAnswer | null }
);

/** Reads a submitted key form; null for anything else (job starts, namespace forms). */
export function changeOf(form: FormData | undefined): KeyChange | null {
  const intent = form?.get("intent");
  if (!form || typeof intent !== "string") return null;
  if (intent === "delete") return { intent, names: form.getAll("name").map(String) };
  if (intent === "undo") {
    const deletion = form.get("deletion");
    return typeof deletion === "string" ? { intent, deletion, names: form.getAll("name").map(String) } : null;
  }
  const name = form.get("name");
  if (typeof name !== "string") return null;
  if (intent === "put") return { intent, name, mode: form.get("mode") === "create" ? "create" : "edit" };
  if (intent === "dismiss") return { intent, name };
  return null;
}

export interface RowStateInput {
  /** The rows loaded so far, in key order, as the server merged them. */
  rows: KeyRow[];
  /** Changes answered since `rows` were loaded, oldest first. */
  settled: readonly SettledChange[];
  /** Changes whose requests are still out: they are the newest word on their keys. */
  inflight: readonly KeyChange[];
  /** The listing's prefix, and whether more keys follow the last loaded one. */
  prefix: string;
  hasMore: boolean;
  /** Whether a row (with its metadata and expiry) passes the page's filter. */
  matches: (row: KeyRow) => boolean;
}

/** What the newest change says about one key. */
type Effect = { kind: "gone" } | { kind: "meta"; meta: OverlayMeta | undefined } | { kind: "row"; row: KeyRow; insert: boolean };

function settledEffects(change: SettledChange, put: (name: string, effect: Effect) => void) {
  if (change.change.intent === "delete") {
    const answer = change.answer as DeleteAnswer | null;
    // Refused as a whole, or never sent: nothing was deleted, the rows stay as they were.
    if (!answer?.ok) return;
    const failed = new Map(answer.summary.failed.map((f) => [f.key, f.error]));
    for (const name of change.change.names) {
      const error = failed.get(name);
      put(
        name,
        error === undefined
          ? { kind: "gone" }
          : { kind: "meta", meta: clientMeta({ status: "error", intent: "delete", opId: answer.summary.opId, error }) },
      );
    }
  } else if (change.change.intent === "put") {
    const answer = change.answer as PutAnswer | null;
    if (answer?.ok) put(answer.row.name, { kind: "row", row: answer.row, insert: true });
  } else if (change.change.intent === "undo") {
    const answer = change.answer as UndoAnswer | null;
    // Refused, or never sent: the keys stay deleted.
    if (!answer?.ok) return;
    if ("job" in answer) {
      for (const name of change.change.names) put(name, { kind: "row", row: { name, _meta: restoringMeta(answer.job.id) }, insert: false });
      return;
    }
    const { summary } = answer;
    for (const row of summary.restored) put(row.name, { kind: "row", row, insert: true });
    // Written again since the delete: the key shows as the upstream lists it now.
    for (const name of summary.conflicts) put(name, { kind: "meta", meta: undefined });
    for (const f of summary.failed) {
      const meta = clientMeta({ status: "error", intent: "create", opId: summary.opId, error: f.error });
      put(f.key, { kind: "row", row: { name: f.key, _meta: meta }, insert: false });
    }
  } else {
    put(change.change.name, { kind: "meta", meta: undefined });
  }
}

const restoringMeta = (opId?: string) =>
  clientMeta({ status: "creating", intent: "create", ...(opId ? { opId } : {}), message: "Restoring" });

function inflightEffects(change: KeyChange, put: (name: string, effect: Effect) => void) {
  if (change.intent === "delete") for (const name of change.names) put(name, { kind: "gone" });
  else if (change.intent === "undo")
    for (const name of change.names) put(name, { kind: "row", row: { name, _meta: restoringMeta() }, insert: false });
  else if (change.intent === "dismiss") put(change.name, { kind: "meta", meta: undefined });
  else {
    const status = change.mode === "create" ? "creating" : "updating";
    const meta = clientMeta({ status, intent: status === "creating" ? "create" : "update" });
    put(change.name, { kind: "row", row: { name: change.name, _meta: meta }, insert: false });
  }
}

/** The rows to show, each with the status it has now. */
export function rowStates({ rows, settled, inflight, prefix, hasMore, matches }: RowStateInput): KeyRow[] {
  const effects = new Map<string, Effect>();
  const put = (name: string, effect: Effect) => effects.set(name, effect);
  for (const change of settled) settledEffects(change, put);
  for (const change of inflight) inflightEffects(change, put);

  const out: KeyRow[] = [];
  const present = new Set<string>();
  for (const row of rows) {
    present.add(row.name);
    const effect = effects.get(row.name);
    if (!effect) {
      // The server says a delete is under way (a reload while the overlay lasts): still gone.
      if (row._meta?.status !== "deleting") out.push(row);
    } else if (effect.kind === "meta") out.push({ ...row, _meta: effect.meta });
    else if (effect.kind === "row") out.push(effect.insert ? effect.row : { ...row, _meta: effect.row._meta });
  }

  // A key written here that the loaded rows do not hold yet shows where it sorts, if it belongs on
  // this page: it passes the filter and falls before the last loaded key (or every key is loaded).
  const last = rows[rows.length - 1]?.name;
  const inserts: KeyRow[] = [];
  for (const [name, effect] of effects) {
    if (effect.kind !== "row" || present.has(name) || !name.startsWith(prefix)) continue;
    if (hasMore && (last === undefined || compareKeys(name, last) > 0)) continue;
    // An answered write carries its metadata and expiry; one in flight is known only by its name.
    if (effect.insert && !matches(effect.row)) continue;
    inserts.push(effect.row);
  }
  if (inserts.length === 0) return out;
  return [...out, ...inserts].sort((a, b) => compareKeys(a.name, b.name));
}
