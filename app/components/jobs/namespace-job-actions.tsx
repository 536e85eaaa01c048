// The namespace page's job buttons (export; for editors import, copy/move, set expiry) and their
// dialogs. Each dialog's form mounts with it, so it opens fresh; a started job opens its page.
import { useFetcher, useNavigate } from "@remix-run/react";
import { useCallback, useState } from "react";
import type { JobSnapshot } from "~/jobs/types";
import { describeRule, type KeyRule } from "~/kv/key-rule";
import { KIND_LABELS } from "../job-progress";
import { useToast } from "../toaster";
import { Button } from "../ui/button";
import { CopyForm, ExpiryForm } from "./copy-expiry-forms";
import { ExportForm, ImportForm } from "./export-import-forms";
import { JobDialog } from "./job-form";

type DialogKind = "export" | "import" | "copy" | "bulk-expiry";

export function NamespaceJobActions({
  action,
  rule,
  namespaceId,
  connectionId,
  canEdit,
  copyByDefault = true,
}: {
  action: string;
  rule: KeyRule;
  namespaceId: string;
  connectionId: number;
  canEdit: boolean;
  /** The connection's recycle default, for a move's copy of what it deletes. */
  copyByDefault?: boolean;
}) {
  const namespaceList = useFetcher<{ namespaces: { id: string; title: string }[] }>();
  const targets = (namespaceList.data?.namespaces ?? []).filter((n) => n.id !== namespaceId);
  const navigate = useNavigate();
  const toast = useToast();
  const [open, setOpen] = useState<DialogKind | null>(null);
  const onStarted = useCallback(
    (job: JobSnapshot) => {
      setOpen(null);
      toast({ variant: "success", title: `${KIND_LABELS[job.kind]} started` });
      navigate(`/jobs/${job.id}`);
    },
    [toast, navigate],
  );
  const start = { action, onStarted };
  const scope = describeRule(rule);
  const dialog = (kind: DialogKind) => ({ open: open === kind, onOpenChange: (next: boolean) => !next && setOpen(null) });

  return (
    <>
      <Button size="sm" variant="outline" onClick={() => setOpen("export")}>
        Export
      </Button>
      {canEdit ? (
        <>
          <Button size="sm" variant="outline" onClick={() => setOpen("import")}>
            Import
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() => {
              setOpen("copy");
              namespaceList.load(`/accounts/${connectionId}?index`);
            }}
          >
            Copy / move
          </Button>
          <Button size="sm" variant="outline" onClick={() => setOpen("bulk-expiry")}>
            Set expiry
          </Button>
        </>
      ) : null}

      <JobDialog {...dialog("export")} title="Export keys" description={`Export ${scope} to a file you can download.`}>
        <ExportForm start={start} rule={rule} />
      </JobDialog>
      <JobDialog
        {...dialog("import")}
        title="Import keys"
        description="Upload an NDJSON or wrangler bulk JSON file. It is checked in full first; nothing is written if any line is invalid."
      >
        <ImportForm start={start} />
      </JobDialog>
      <JobDialog
        {...dialog("copy")}
        title="Copy or move keys"
        description={`Copy ${scope} to another namespace. A move deletes only keys whose copy was verified.`}
      >
        <CopyForm start={start} rule={rule} namespaces={targets} copyByDefault={copyByDefault} />
      </JobDialog>
      <JobDialog
        {...dialog("bulk-expiry")}
        title="Set expiry"
        description={`Set or clear the expiry of ${scope}. Each key is rewritten with its value and metadata.`}
      >
        <ExpiryForm start={start} rule={rule} />
      </JobDialog>
    </>
  );
}
