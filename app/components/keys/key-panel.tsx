// The key panel beside the keys table: a key's expiry, size, metadata and value (a preview of a
// large one, a hex dump of a binary one), with Edit, Delete and Download.
import { Link } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import type { KeyDetail } from "~/kv/keys.server";
import { cn } from "~/utils/cn";
import { formatAbsolute, formatBytes, formatRelative } from "~/utils/format";
import { KeyFormDialog } from "../key-form-dialog";
import { KeyName } from "../key-name";
import { Button } from "../ui/button";
import type { KeyPanelContext } from "./panel-context";

export function KeyPanel({
  detail,
  now,
  previewBytes,
  downloadHref,
  panel: { closeHref, base, canEdit, requestDelete },
}: {
  detail: KeyDetail;
  now: number;
  previewBytes: number;
  downloadHref: string;
  panel: KeyPanelContext;
}) {
  const [editing, setEditing] = useState(false);
  const editable = detail.found && !detail.truncated && detail.preview !== null && detail.preview.kind !== "binary";
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [detail.name]);

  return (
    <PanelFrame closeHref={closeHref}>
      <h2 ref={heading} tabIndex={-1} id="key-panel-title" className="font-mono text-sm font-semibold outline-none">
        <KeyName name={detail.name} />
      </h2>
      {canEdit ? (
        <div className="flex flex-wrap gap-2">
          <Button
            size="sm"
            variant="outline"
            disabled={!editable}
            onClick={() => setEditing(true)}
            title={editable ? undefined : "Only text values shown in full can be edited here."}
          >
            Edit
          </Button>
          <Button size="sm" variant="outline" className="text-destructive" onClick={() => requestDelete(detail.name)}>
            Delete key
          </Button>
        </div>
      ) : null}
      {editing ? (
        <KeyFormDialog
          open={editing}
          onOpenChange={setEditing}
          mode="edit"
          action={base}
          initial={{
            name: detail.name,
            value: detail.preview?.kind === "json" ? detail.preview.raw : detail.preview?.kind === "text" ? detail.preview.text : "",
            metadata: detail.metadata === null || detail.metadata === undefined ? "" : JSON.stringify(detail.metadata, null, 2),
            expiration: detail.expiration,
          }}
        />
      ) : null}
      {!detail.found ? (
        <p role="status" className="rounded-md border p-3 text-sm text-muted-foreground">
          This key has no value upstream. It may have been deleted or may not be visible yet (Workers KV takes up to a minute to show
          changes).
        </p>
      ) : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-muted-foreground">Expires</dt>
        <dd>
          {detail.expiration ? (
            <>
              {formatRelative(detail.expiration, now)} <span className="text-muted-foreground">({formatAbsolute(detail.expiration)})</span>
            </>
          ) : (
            "never"
          )}
        </dd>
        <dt className="text-muted-foreground">Size</dt>
        <dd>
          {detail.size !== null
            ? formatBytes(detail.size)
            : detail.truncated
              ? `over ${formatBytes(previewBytes)} (the upstream did not say how much)`
              : "—"}
        </dd>
        <dt className="text-muted-foreground">Type</dt>
        <dd>{detail.preview ? { json: "JSON", text: "text", binary: "binary" }[detail.preview.kind] : "—"}</dd>
      </dl>
      <section aria-labelledby="metadata-heading" className="space-y-1">
        <h3 id="metadata-heading" className="text-sm font-medium">
          Metadata
        </h3>
        {detail.metadata === null || detail.metadata === undefined ? (
          <p className="text-sm text-muted-foreground">none</p>
        ) : (
          <pre className="max-h-48 overflow-auto rounded-md bg-muted p-2 font-mono text-xs" aria-label="Metadata content">
            {JSON.stringify(detail.metadata, null, 2)}
          </pre>
        )}
      </section>
      {detail.preview ? (
        <section aria-labelledby="value-heading" className="flex min-h-0 flex-1 flex-col space-y-1">
          <div className="flex items-center justify-between">
            <h3 id="value-heading" className="text-sm font-medium">
              Value
            </h3>
            <Button asChild variant="outline" size="sm">
              <a href={downloadHref} download>
                Download
              </a>
            </Button>
          </div>
          {detail.truncated ? (
            <p className="text-xs text-muted-foreground">Showing the first part of a large value. Download it to see all of it.</p>
          ) : null}
          <pre
            className={cn(
              "min-h-0 max-w-full flex-1 overflow-auto rounded-md bg-muted p-2 font-mono text-xs",
              // A hex dump is columns: each line stays whole and the dump scrolls sideways inside the panel.
              detail.preview.kind === "binary" ? "whitespace-pre" : "whitespace-pre-wrap break-all",
            )}
            aria-label="Value content"
          >
            {detail.preview.kind === "binary" ? detail.preview.hex : detail.preview.text}
          </pre>
        </section>
      ) : null}
    </PanelFrame>
  );
}

function PanelFrame({ closeHref, children }: { closeHref: string; children: ReactNode }) {
  return (
    <aside
      aria-labelledby="key-panel-title"
      className="fixed inset-0 z-20 flex flex-col gap-3 overflow-auto bg-background p-4 lg:static lg:z-auto lg:w-[32rem] lg:shrink-0 lg:border-l"
    >
      <div className="flex justify-end">
        <Button asChild variant="ghost" size="sm">
          <Link to={closeHref} preventScrollReset aria-label="Close key panel">
            Close ✕
          </Link>
        </Button>
      </div>
      {children}
    </aside>
  );
}
