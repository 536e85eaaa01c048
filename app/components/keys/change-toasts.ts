// What a key change says when it answers: a toast per delete (with "Undo" when a copy was kept),
// per undo and per saved key.
import { formatCount } from "~/utils/format";
import type { Toast } from "../toaster";
import type { DeleteAnswer, PutAnswer, SettledChange, UndoAnswer } from "./row-states";

const keys = (n: number) => `${formatCount(n)} ${n === 1 ? "key" : "keys"}`;

/** `undo` restores a delete's copy: the toast of a delete that kept one offers it. */
export function toastOf(settled: SettledChange, undo?: (deletion: string, names: string[]) => void): Toast | null {
  if (settled.change.intent === "put") {
    const answer = settled.answer as PutAnswer | null;
    return answer?.ok ? { variant: "success", title: `Saved ${answer.row.name}` } : null;
  }
  if (settled.change.intent === "undo") return undoToast(settled.answer as UndoAnswer | null, settled.change.names.length);
  if (settled.change.intent !== "delete") return null;
  const answer = settled.answer as DeleteAnswer | null;
  if (!answer?.ok) {
    return {
      variant: "error",
      title: "Delete failed",
      description: answer?.error ?? "The request did not reach kvdeck. Nothing was deleted.",
    };
  }
  const { summary } = answer;
  const names = settled.change.names;
  const action =
    undo && summary.copy && summary.copy.keys > 0 && summary.succeeded > 0
      ? { label: "Undo", onClick: () => undo(summary.opId, names) }
      : undefined;
  const kept = summary.copy ? (summary.copy.keys > 0 ? "A copy is in the recycle bin." : undefined) : "No copy was kept.";
  if (summary.failed.length === 0) {
    return {
      variant: "success",
      title: `Deleted ${keys(summary.succeeded)}`,
      ...(kept ? { description: kept } : {}),
      ...(action ? { action } : {}),
    };
  }
  return {
    variant: "error",
    title: `Deleted ${formatCount(summary.succeeded)} of ${formatCount(summary.requested)} keys; ${formatCount(summary.failed.length)} failed`,
    details: summary.failed.map((f) => ({ label: f.key, detail: f.error })),
    ...(action ? { action } : {}),
  };
}

function undoToast(answer: UndoAnswer | null, count: number): Toast {
  if (!answer?.ok) {
    return {
      variant: "error",
      title: "Undo failed",
      description: answer?.error ?? "The request did not reach kvdeck. Nothing was restored.",
    };
  }
  if ("job" in answer) {
    return { variant: "success", title: `Restoring ${keys(count)}`, description: "A restore job writes them back; follow it under Jobs." };
  }
  const { summary } = answer;
  const left = [
    ...summary.conflicts.map((key) => ({
      label: key,
      detail: "Written again since the delete: not overwritten (restore it from the recycle bin to choose).",
    })),
    ...summary.expired.map((key) => ({
      label: key,
      detail: "Its expiry has passed: not restored (restore it from the recycle bin with a new expiry).",
    })),
    ...summary.failed.map((f) => ({ label: f.key, detail: f.error })),
  ];
  if (left.length === 0) return { variant: "success", title: `Restored ${keys(summary.restored.length)}` };
  return {
    variant: "error",
    title: `Restored ${formatCount(summary.restored.length)} of ${keys(summary.restored.length + left.length)}; ${formatCount(left.length)} not restored`,
    details: left,
  };
}
