// What a namespace's row says about a pending operation on it: the status badge, and for a job
// running on it (a `processing` mark) the job's progress bar, named after the namespace, and its message.
import type { OverlayMeta } from "~/cache/types";
import { VisibleText } from "~/components/key-name";
import { StatusBadge } from "~/components/status-badge";
import { Progress } from "~/components/ui/progress";
import { escapeInvisibles } from "~/utils/format";

export function NamespaceStatus({ title, meta }: { title: string; meta: OverlayMeta }) {
  const processing = meta.status === "processing";
  return (
    <>
      <span className="ml-2">
        {/* The badge's own bar is named after its status; a job's bar here is named after the namespace. */}
        <StatusBadge meta={processing ? { ...meta, progress: null } : meta} />
      </span>
      {processing ? (
        <span className="mt-1 flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
          <Progress
            value={meta.progress === null ? null : meta.progress * 100}
            label={`${escapeInvisibles(title)} progress`}
            className="w-32"
          />
          {meta.message ? <VisibleText text={meta.message} /> : null}
        </span>
      ) : null}
      {meta.error ? (
        <p className="text-xs text-destructive">
          <VisibleText text={meta.error} />
        </p>
      ) : null}
    </>
  );
}
