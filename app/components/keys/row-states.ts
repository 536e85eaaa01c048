// The one place that decides what a key row shows in the browser: the loaded rows (each with the
// server's `_meta`), the changes still in flight (their fetchers' form data), and the changes that
// have answered since these rows were loaded. Pure: use-row-states.ts feeds it from Remix.
import { clientMeta, type OverlayMeta } from "~/cache/types";
import type { DeleteSummary } from "~/features/keys/mutations.server";
import { compareKeys } from "~/kv/key-order";

export interface KeyRow {
  name: string;
  expiration?: number;
  metadata?: unknown;
  _meta?: OverlayMeta;
}

/** A change to keys, as its form asked for it. */
export type KeyChange =
  { intent: "delete"; names: string[] } | { intent: "put"; name: string; mode: "create" | "edit" } | { intent: "dismiss"; name: string };

export type DeleteAnswer = { intent: "delete"; ok: true; summary: DeleteSummary } | { intent: "delete"; ok: false; error: string };
export type PutAnswer = { intent: "put"; ok: true; row: KeyRow } | { intent: "put"; ok: false; error: string };

/** A change that has answered: `answer` is null when the request did not reach kvdeck. */
export type SettledChange = { seq: number } & (
  | { change: Extract<KeyChange, { intent: "delete" }>; answer: DeleteAnswer | null }
  | { change: Extract<KeyChange, { intent: "put" }>; answer: PutAnswer | null }
  | { change: Extract<KeyChange, { intent: "dismiss" }>; answer: unknown }
);

/** Reads a submitted key form; null for anything else (job starts, namespace forms). */
export function changeOf(form: FormData | undefined): KeyChange | null {
  const intent = form?.get("intent");
  if (!form || typeof intent !== "string") return null;
  if (intent === "delete") return { intent, names: form.getAll("name").map(String) };
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
  } else {
    put(change.change.name, { kind: "meta", meta: undefined });
  }
}

function inflightEffects(change: KeyChange, put: (name: string, effect: Effect) => void) {
  if (change.intent === "delete") for (const name of change.names) put(name, { kind: "gone" });
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
