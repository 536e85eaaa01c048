// What a key change says when it answers: a toast per delete and per saved key.
import { formatCount } from "~/utils/format";
import type { Toast } from "../toaster";
import type { DeleteAnswer, PutAnswer, SettledChange } from "./row-states";

export function toastOf(settled: SettledChange): Toast | null {
  if (settled.change.intent === "put") {
    const answer = settled.answer as PutAnswer | null;
    return answer?.ok ? { variant: "success", title: `Saved ${answer.row.name}` } : null;
  }
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
  if (summary.failed.length === 0) {
    return { variant: "success", title: `Deleted ${formatCount(summary.succeeded)} ${summary.succeeded === 1 ? "key" : "keys"}` };
  }
  return {
    variant: "error",
    title: `Deleted ${formatCount(summary.succeeded)} of ${formatCount(summary.requested)} keys; ${formatCount(summary.failed.length)} failed`,
    details: summary.failed.map((f) => ({ label: f.key, detail: f.error })),
  };
}
