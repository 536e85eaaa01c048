// A job's progress: state, bar, counts that add up, rate and ETA.
import { describeRule, type KeyRule } from "~/kv/key-rule";
import type { JobSnapshot, JobState } from "~/jobs/types";
import { formatCount } from "~/utils/format";
import { formatDuration, formatRate } from "~/utils/format-duration";
import { Badge } from "./ui/badge";
import { Progress } from "./ui/progress";

export const KIND_LABELS: Record<JobSnapshot["kind"], string> = {
  "delete-selected": "Delete selected keys",
  purge: "Purge by rule",
  export: "Export",
  import: "Import",
  copy: "Copy",
  move: "Move",
  "bulk-expiry": "Set expiry",
};

const STATE_VARIANTS: Record<JobState, "default" | "secondary" | "success" | "destructive" | "warning" | "outline"> = {
  queued: "secondary",
  running: "default",
  paused: "warning",
  cancelling: "warning",
  cancelled: "outline",
  succeeded: "success",
  failed: "destructive",
};

export function JobStateBadge({ state, dryRun }: { state: JobState; dryRun?: boolean }) {
  return (
    <Badge variant={STATE_VARIANTS[state]}>
      {state}
      {dryRun ? <span className="font-normal opacity-80">· dry run</span> : null}
    </Badge>
  );
}

/** What the job works on, in words. */
export function jobSubject(job: Pick<JobSnapshot, "kind" | "payload">): string {
  const payload = (job.payload ?? {}) as { rule?: KeyRule; count?: number; targetNamespaceId?: string };
  const rule = payload.rule ? describeRule(payload.rule) : "every key";
  switch (job.kind) {
    case "delete-selected":
      return `${formatCount(payload.count ?? 0)} selected keys`;
    case "import":
      return "an uploaded file";
    case "copy":
    case "move":
      return `${rule} → namespace ${payload.targetNamespaceId ?? "?"}`;
    default:
      return rule;
  }
}

export function JobProgressBar({ job, className }: { job: JobSnapshot; className?: string }) {
  const finished = job.state === "succeeded";
  const value = finished ? 100 : job.progress === null ? (job.state === "running" ? null : 0) : job.progress * 100;
  return <Progress value={value} label={`${KIND_LABELS[job.kind]} progress`} className={className} />;
}

export function JobCounts({ job }: { job: JobSnapshot }) {
  const c = job.counters;
  const items: [string, string][] = [
    ["Scanned", formatCount(c.scanned)],
    ["Matched", formatCount(c.matched)],
    ["Processed", `${formatCount(c.processed)}${job.totalEstimate !== null ? ` of ${formatCount(job.totalEstimate)}` : ""}`],
    ["Succeeded", formatCount(c.succeeded)],
    ["Failed", formatCount(c.failed)],
    ["Skipped", formatCount(c.skipped)],
    ["Rate", formatRate(job.rate)],
    ["ETA", job.state === "running" && job.etaSeconds !== null ? formatDuration(job.etaSeconds) : "—"],
    ["Requests", formatCount(job.requestsUsed)],
    ["Elapsed", job.startedAt ? formatDuration(((job.finishedAt ? Date.parse(job.finishedAt) : Date.parse(job.updatedAt)) - Date.parse(job.startedAt)) / 1000) : "—"],
  ];
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-3">
      {items.map(([label, value]) => (
        <div key={label} className="flex justify-between gap-2 border-b py-1">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="font-mono tabular-nums" aria-label={label}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
