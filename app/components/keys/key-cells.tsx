// The cells of one key row: its name (a link, and on a phone its failure under it), its expiry,
// and its metadata or the status of a pending change.
import { Link } from "@remix-run/react";
import { escapeInvisibles, formatAbsolute, formatRelative } from "~/utils/format";
import { KeyName, VisibleText } from "../key-name";
import { StatusBadge } from "../status-badge";
import { Button } from "../ui/button";
import type { KeyRow } from "./row-states";

export interface RowActions {
  onRetry?: (row: KeyRow) => void;
  onDismiss?: (row: KeyRow) => void;
}

export function NameCell({ row, href, actions }: { row: KeyRow; href: string; actions: RowActions }) {
  return (
    <>
      <Link
        to={href}
        // Route discovery scans every link on each DOM change; virtualized rows change constantly.
        discover="none"
        preventScrollReset
        tabIndex={-1}
        // The name cut in the middle is two boxes; the accessible name is the whole name, as one string.
        aria-label={escapeInvisibles(row.name)}
        className="flex min-w-0 font-mono text-[13px] text-foreground hover:text-primary hover:underline"
      >
        <KeyName name={row.name} truncate="middle" />
      </Link>
      {/* A phone's metadata column is too narrow for a failure and its buttons: they go under the name. */}
      {row._meta?.status === "error" ? (
        <RowFailure row={row} actions={actions} className="mt-1 flex flex-wrap items-center gap-1.5 sm:hidden" />
      ) : null}
    </>
  );
}

export function ExpiryCell({ expiration, nowMs }: { expiration?: number; nowMs: number }) {
  if (expiration === undefined) return <span className="text-muted-foreground">never</span>;
  return (
    <time
      dateTime={new Date(expiration * 1000).toISOString()}
      title={formatAbsolute(expiration)}
      className="whitespace-nowrap text-xs sm:text-sm"
    >
      {formatRelative(expiration, nowMs)}
    </time>
  );
}

export function MetadataCell({ row, actions }: { row: KeyRow; actions: RowActions }) {
  if (row._meta?.status === "error") return <RowFailure row={row} actions={actions} className="hidden items-center gap-2 sm:flex" />;
  if (row._meta) {
    return (
      <span className="flex items-center gap-2">
        <StatusBadge meta={row._meta} />
      </span>
    );
  }
  if (row.metadata === undefined) return <span className="text-muted-foreground">—</span>;
  const text = JSON.stringify(row.metadata);
  return (
    <span className="block truncate font-mono text-xs text-muted-foreground" title={text}>
      {text}
    </span>
  );
}

/** A failed change: its badge, why, and Retry / Dismiss (named with the key). Shown once per row, where it fits. */
function RowFailure({ row, actions: { onRetry, onDismiss }, className }: { row: KeyRow; actions: RowActions; className: string }) {
  const meta = row._meta!;
  return (
    <span className={className}>
      <StatusBadge meta={meta} />
      <span
        className="min-w-0 truncate text-xs text-destructive max-sm:order-last max-sm:basis-full"
        title={meta.error ? escapeInvisibles(meta.error) : undefined}
      >
        <span className="sr-only">: </span>
        <VisibleText text={meta.error ?? ""} />
      </span>
      {onRetry ? (
        <Button
          size="sm"
          variant="outline"
          className="h-6 px-2"
          onClick={() => onRetry(row)}
          aria-label={`Retry ${escapeInvisibles(row.name)}`}
        >
          Retry
        </Button>
      ) : null}
      {onDismiss ? (
        <Button
          size="sm"
          variant="ghost"
          className="h-6 px-2"
          onClick={() => onDismiss(row)}
          aria-label={`Dismiss error on ${escapeInvisibles(row.name)}`}
        >
          Dismiss
        </Button>
      ) : null}
    </span>
  );
}
