// A job's progress: state, the bar (the listing first, then the processing), counts that add up,
// rate and ETA while it runs, averages once it has finished.
import { Link } from "@remix-run/react";
import { describeRule, type KeyRule } from "~/kv/key-rule";
import { namespaceTitle, type NamespaceTitles } from "~/jobs/namespace-key";
import { isFinished, type JobSnapshot, type JobState } from "~/jobs/types";
import { cn } from "~/utils/cn";
import { formatCount } from "~/utils/format";
import { formatDuration, formatRate } from "~/utils/format-duration";
import { VisibleText } from "./key-name";
import { Badge } from "./ui/badge";

export const KIND_LABELS: Record<JobSnapshot["kind"], string> = {
  "delete-selected": "Delete selected keys",
  purge: "Purge by rule",
  export: "Export",
  import: "Import",
  copy: "Copy",
  move: "Move",
  "bulk-expiry": "Set expiry",
  index: "Index namespace",
  restore: "Restore from the recycle bin",
};

/** What a job does to each key it processes, for "Deleting: 10,000 of 40,000 keys". */
const PROCESSING_VERBS: Record<JobSnapshot["kind"], string> = {
  "delete-selected": "Deleting",
  purge: "Deleting",
  export: "Exporting",
  import: "Importing",
  copy: "Copying",
  move: "Moving",
  "bulk-expiry": "Rewriting",
  index: "Indexing",
  restore: "Restoring",
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

/** What the job works on, in words; a copy's or move's target by its title. */
export function jobSubject(job: Pick<JobSnapshot, "kind" | "payload" | "connectionId">, titles?: NamespaceTitles): string {
  const payload = (job.payload ?? {}) as { rule?: KeyRule; count?: number; targetConnectionId?: number; targetNamespaceId?: string };
  const rule = payload.rule ? describeRule(payload.rule) : "every key";
  switch (job.kind) {
    case "delete-selected":
      return `${formatCount(payload.count ?? 0)} selected keys`;
    case "import":
      return "an uploaded file";
    case "copy":
    case "move":
      return `${rule} → ${payload.targetNamespaceId ? namespaceTitle(titles, payload.targetConnectionId ?? job.connectionId, payload.targetNamespaceId) : "?"}`;
    default:
      return rule;
  }
}

/** A link to the job's namespace, named by its title (its id when the namespace is gone). */
export function JobNamespaceLink({
  job,
  titles,
  className,
}: {
  job: Pick<JobSnapshot, "connectionId" | "namespaceId">;
  titles?: NamespaceTitles;
  className?: string;
}) {
  const title = namespaceTitle(titles, job.connectionId, job.namespaceId);
  return (
    <Link
      to={`/accounts/${job.connectionId}/namespaces/${job.namespaceId}`}
      className={cn("text-primary hover:underline", title === job.namespaceId && "font-mono", className)}
      title={job.namespaceId}
    >
      <VisibleText text={title} />
    </Link>
  );
}

/** Seconds the job ran: its runners' time when known, otherwise start to finish (or to now). */
export function jobElapsedSeconds(job: JobSnapshot): number | null {
  if (job.runningMs > 0 && job.finishedAt) return job.runningMs / 1000;
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.parse(job.updatedAt);
  return Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
}

/** A finished job's average keys per second: processed (a dry run: scanned) over its running time. */
export function jobAverageRate(job: JobSnapshot): number | null {
  if (job.averageRate !== null && Number.isFinite(job.averageRate)) return job.averageRate;
  const seconds = jobElapsedSeconds(job);
  const keys = job.counters.processed > 0 ? job.counters.processed : job.counters.scanned;
  if (seconds === null || seconds <= 0) return null;
  return keys / seconds;
}

/** "3 pages, 3,000 keys scanned, 1,200 matched". */
export function scanSummary(job: JobSnapshot): string {
  const c = job.counters;
  return `${formatCount(job.pagesScanned)} ${job.pagesScanned === 1 ? "page" : "pages"}, ${formatCount(c.scanned)} keys scanned, ${formatCount(c.matched)} matched`;
}

export type ProgressStage = "waiting" | "listing" | "processing" | "stopped" | "done";

/**
 * What the bar shows: `value` 0..100, or null while the amount is unknown (the listing before any
 * key was processed, or processing with no total); `text` says the same in words.
 */
export function describeProgress(job: JobSnapshot): { stage: ProgressStage; value: number | null; text: string } {
  const c = job.counters;
  const ofTotal = job.totalEstimate !== null ? ` of ${formatCount(job.totalEstimate)}` : "";
  const percent = job.progress !== null ? ` (${Math.floor(job.progress * 100)} %)` : "";
  if (job.state === "succeeded") {
    return {
      stage: "done",
      value: 100,
      text: job.dryRun
        ? `Done: ${formatCount(c.matched)} keys match (${scanSummary(job)})`
        : `Done: ${formatCount(c.processed)} keys processed`,
    };
  }
  if (job.state === "cancelled" || job.state === "failed") {
    return {
      stage: "stopped",
      value: job.progress !== null ? job.progress * 100 : null,
      text: `${job.state === "failed" ? "Failed" : "Cancelled"} after ${formatCount(c.processed)}${ofTotal} keys`,
    };
  }
  if (job.state === "queued" && !job.startedAt) return { stage: "waiting", value: 0, text: "Waiting for a runner" };
  const prefix = job.state === "paused" ? "Paused · " : job.state === "queued" ? "Queued again · " : "";
  if (job.dryRun || c.processed === 0) {
    return { stage: "listing", value: null, text: `${prefix}${job.dryRun ? "Counting" : "Listing"}: ${scanSummary(job)}` };
  }
  const value = job.progress !== null ? job.progress * 100 : null;
  return {
    stage: "processing",
    value,
    text: `${prefix}${PROCESSING_VERBS[job.kind]}: ${formatCount(c.processed)}${ofTotal} keys${percent}`,
  };
}

/**
 * The job's progress bar (role progressbar, named "<kind> progress"): indeterminate while it lists
 * before any key is processed, determinate once processing has a total; `aria-valuetext` and, with
 * `showText`, a line under it say where it stands.
 */
export function JobProgressBar({
  job,
  className,
  showText = false,
  textClassName = "text-xs",
}: {
  job: JobSnapshot;
  className?: string;
  showText?: boolean;
  textClassName?: string;
}) {
  const { value, text } = describeProgress(job);
  const clamped = value === null ? null : Math.max(0, Math.min(100, value));
  return (
    <div className="w-full">
      <div
        role="progressbar"
        aria-label={`${KIND_LABELS[job.kind]} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={clamped === null ? undefined : Math.round(clamped)}
        aria-valuetext={text}
        data-state={clamped === null ? "indeterminate" : clamped >= 100 ? "complete" : "loading"}
        className={cn("relative h-2 w-full overflow-hidden rounded-full bg-secondary", className)}
      >
        <div
          className={cn("h-full bg-primary transition-[width] duration-300", clamped === null && "w-1/3 animate-pulse")}
          style={clamped === null ? undefined : { width: `${clamped}%` }}
        />
      </div>
      {showText ? <p className={cn("mt-1 text-muted-foreground", textClassName)}>{text}</p> : null}
    </div>
  );
}

export function JobCounts({ job }: { job: JobSnapshot }) {
  const c = job.counters;
  const elapsed = jobElapsedSeconds(job);
  const timing: [string, string][] = isFinished(job.state)
    ? [
        ["Average rate", formatRate(jobAverageRate(job))],
        ["Total time", elapsed === null ? "—" : formatDuration(elapsed)],
      ]
    : [
        ["Rate", formatRate(job.rate)],
        ["ETA", job.state === "running" && job.etaSeconds !== null ? formatDuration(job.etaSeconds) : "—"],
        ["Elapsed", elapsed === null ? "—" : formatDuration(elapsed)],
      ];
  const items: [string, string][] = [
    ["Pages listed", formatCount(job.pagesScanned)],
    ["Scanned", formatCount(c.scanned)],
    ["Matched", formatCount(c.matched)],
    ["Processed", `${formatCount(c.processed)}${job.totalEstimate !== null ? ` of ${formatCount(job.totalEstimate)}` : ""}`],
    ["Succeeded", formatCount(c.succeeded)],
    ["Failed", formatCount(c.failed)],
    ["Skipped", formatCount(c.skipped)],
    ...timing,
    ["Requests", formatCount(job.requestsUsed)],
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
