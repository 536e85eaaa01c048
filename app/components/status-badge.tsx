// The badge a row wears while an operation on it is pending, or after it failed.
import type { OverlayIntent, OverlayMeta } from "~/cache/types";
import { escapeInvisibles } from "~/utils/format";
import { Badge } from "./ui/badge";
import { Progress } from "./ui/progress";

const LABELS: Record<OverlayMeta["status"], string> = {
  deleting: "Deleting",
  creating: "Creating",
  updating: "Updating",
  processing: "Processing",
  retrying: "Retrying",
  error: "Error",
};

const VARIANTS = {
  deleting: "warning",
  creating: "success",
  updating: "default",
  processing: "default",
  retrying: "warning",
  error: "destructive",
} as const;

/** A failure says what failed: "Delete failed", not a bare "Error". */
const FAILED: Record<OverlayIntent, string> = {
  delete: "Delete failed",
  create: "Create failed",
  update: "Update failed",
  process: "Failed",
};

export function statusLabel(meta: { status: OverlayMeta["status"]; intent?: OverlayIntent }): string {
  return meta.status === "error" && meta.intent ? FAILED[meta.intent] : LABELS[meta.status];
}

export function StatusBadge({
  meta,
}: {
  meta: Pick<OverlayMeta, "status" | "progress" | "message" | "error" | "retryCount" | "maxRetries" | "stage"> & { intent?: OverlayIntent };
}) {
  const reason = meta.error ?? meta.message;
  const title = reason ? escapeInvisibles(reason) : undefined;
  const label = statusLabel(meta);
  // `progress` may be 0: compare with null, never rely on truthiness (a 0 % bar is still a bar).
  const hasProgress = meta.progress !== null && meta.progress !== undefined;
  return (
    <span className="inline-flex items-center gap-2" title={title}>
      <Badge variant={VARIANTS[meta.status]}>
        {label}
        {meta.stage ? <span className="font-normal opacity-80">· {meta.stage}</span> : null}
        {meta.maxRetries > 0 ? (
          <span className="font-normal opacity-80">
            · try {meta.retryCount + 1}/{meta.maxRetries + 1}
          </span>
        ) : null}
      </Badge>
      {hasProgress ? <Progress value={meta.progress! * 100} label={`${label} progress`} className="w-16" /> : null}
    </span>
  );
}
