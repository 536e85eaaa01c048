// One source for a key row's status in the browser: the loaded rows (the server's `_meta`), the
// key changes in flight (useFetchers: their form data) and the answers that came back since the
// rows were loaded (the route's clientAction logs them) go through rowStates() together.
import { useFetcher, useFetchers, useNavigate, useSubmit, type ClientActionFunctionArgs } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { MAX_INLINE_DELETE } from "~/kv/key-forms";
import { useToast } from "../toaster";
import { toastOf } from "./change-toasts";
import { changeOf, rowStates, type KeyChange, type KeyRow, type RowStateInput } from "./row-states";
import { settledChanges, type SettledEntry } from "./settled-changes";

const NONE: readonly SettledEntry[] = [];

/** A submission's form read once: the same form gives the same change object, render after render. */
const changes = new WeakMap<FormData, KeyChange | null>();
function cachedChangeOf(form: FormData): KeyChange | null {
  let change = changes.get(form);
  if (change === undefined) changes.set(form, (change = changeOf(form)));
  return change;
}

const sameItems = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((item, i) => item === b[i]);

/** The namespace route's clientAction: answers the form as the server does, and logs the answer. */
export async function logKeyChange({ request, serverAction }: ClientActionFunctionArgs) {
  const change = changeOf(await request.clone().formData());
  if (!change) return serverAction();
  const base = new URL(request.url).pathname;
  try {
    const answer = await serverAction();
    settledChanges.record(base, change, answer);
    return answer;
  } catch (error) {
    settledChanges.record(base, change, null);
    throw error;
  }
}

export function useRowStates({ base, first, ...view }: Omit<RowStateInput, "settled" | "inflight"> & { base: string; first: object }) {
  // useFetchers() is a new array on every render: the changes in flight are kept as they were while
  // they are the same ones, so that rowStates() runs once per change, not once per render.
  const fetchers = useFetchers();
  const found = fetchers.flatMap((f): KeyChange[] => {
    const change = f.state === "idle" || f.formAction?.split("?")[0] !== base || !f.formData ? null : cachedChangeOf(f.formData);
    return change ? [change] : [];
  });
  const [held, setHeld] = useState(found);
  const inflight = sameItems(held, found) ? held : found;
  if (inflight !== held) setHeld(inflight);

  // Answers from before the first page was loaded are in it already: the server merged them.
  const entries = useSyncExternalStore(settledChanges.subscribe, settledChanges.entries, () => NONE);
  const [floor, setFloor] = useState(() => ({ first, seq: settledChanges.lastSeq() }));
  const current = floor.first === first ? floor : { first, seq: settledChanges.lastSeq() };
  if (current !== floor) setFloor(current);
  useEffect(() => settledChanges.forget(base, current.seq), [base, current.seq]);
  const settled = useMemo(
    () => entries.filter((e) => e.base === base && e.settled.seq > current.seq).map((e) => e.settled),
    [entries, base, current.seq],
  );

  const toast = useToast();
  const submit = useSubmit();
  useEffect(() => {
    const undo = (deletion: string, names: string[]) => {
      const form = new FormData();
      form.set("intent", "undo");
      form.set("deletion", deletion);
      for (const name of names) form.append("name", name);
      submit(form, { method: "post", action: base, navigate: false, fetcherKey: `undo-${deletion}` });
    };
    return settledChanges.onRecord((entry) => {
      const shown = entry.base === base ? toastOf(entry.settled, undo) : null;
      if (shown) toast(shown);
    });
  }, [base, toast, submit]);

  const { rows, prefix, hasMore, matches } = view;
  return useMemo(
    () => rowStates({ rows, settled, inflight, prefix, hasMore, matches }),
    [rows, settled, inflight, prefix, hasMore, matches],
  );
}

type JobStart = { ok: true; job: { id: string } } | { ok: false; error: string };

/** Deleting keys and dismissing failures from the page; a delete beyond one bulk request's worth is a job. */
export function useKeyChanges(base: string) {
  const submit = useSubmit();
  const job = useFetcher<JobStart>({ key: `${base}:delete-job` });
  const navigate = useNavigate();
  const toast = useToast();
  const handled = useRef<JobStart | undefined>(undefined);
  useEffect(() => {
    const answer = job.data;
    if (job.state !== "idle" || !answer || answer === handled.current) return;
    handled.current = answer;
    if (answer.ok) navigate(`/jobs/${answer.job.id}`);
    else toast({ variant: "error", title: "Could not start the delete", description: answer.error });
  }, [job.state, job.data, navigate, toast]);

  const submitJob = job.submit;
  return useMemo(
    () => ({
      deleteKeys(names: string[], keepCopy: boolean) {
        const form = new FormData();
        form.set("recycle", keepCopy ? "keep" : "skip");
        if (names.length > MAX_INLINE_DELETE) {
          // More than one bulk request's worth: a durable job does it, with progress and a report.
          form.set("kind", "delete-selected");
          for (const name of names) form.append("keys", name);
          form.set("totalEstimate", String(names.length));
          submitJob(form, { method: "post", action: `${base}/jobs` });
          return;
        }
        form.set("intent", "delete");
        for (const n of names) form.append("name", n);
        // A fetcher of its own: deletes started one after another all run, none cancels another.
        submit(form, { method: "post", action: base, navigate: false, fetcherKey: `delete-${crypto.randomUUID()}` });
      },
      dismiss(row: KeyRow) {
        if (!row._meta) return;
        const form = { intent: "dismiss", name: row.name, opId: row._meta.opId };
        submit(form, { method: "post", action: base, navigate: false, fetcherKey: `dismiss-${row.name}` });
      },
    }),
    [submit, submitJob, base],
  );
}
