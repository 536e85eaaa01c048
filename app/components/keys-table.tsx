// The keys of a namespace as a virtualized table: only the rows in view are in the DOM, so a
// million loaded keys scroll as smoothly as fifty. Reaching the end asks for the next page.
// Rows can be selected with their checkbox (shift-click for a range) or from the keyboard.
import { Link } from "@remix-run/react";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import type { OverlayMeta } from "~/cache/types";
import { cn } from "~/utils/cn";
import { escapeInvisibles, formatAbsolute, formatRelative } from "~/utils/format";
import { KeyName, VisibleText } from "./key-name";
import { StatusBadge } from "./status-badge";
import { Button } from "./ui/button";
import { Checkbox } from "./ui/checkbox";

export interface KeyRow {
  name: string;
  expiration?: number;
  metadata?: unknown;
  _meta?: OverlayMeta;
}

const ROW_HEIGHT = 37;
/** Start loading the next page this many rows before the end. */
const LOAD_AHEAD_ROWS = 200;

const column = createColumnHelper<KeyRow>();

export interface KeysTableProps {
  rows: KeyRow[];
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  keyHref: (name: string) => string;
  onOpen: (name: string) => void;
  activeKey: string | null;
  nowMs: number;
  caption: string;
  /** Omitted: no selection column (a role that cannot change keys). */
  selection?: {
    selected: ReadonlySet<string>;
    onChange: (next: Set<string>) => void;
    onRequestDelete: () => void;
  };
  onRetry?: (row: KeyRow) => void;
  onDismiss?: (row: KeyRow) => void;
}

export function KeysTable(props: KeysTableProps) {
  const { rows, hasMore, loading, onLoadMore, keyHref, activeKey, nowMs, caption, selection, onRetry, onDismiss } = props;
  const anchor = useRef<number | null>(null);
  const [cursorIndex, setCursorIndex] = useState(0);

  const toggle = (index: number, event: { shiftKey: boolean }) => {
    if (!selection) return;
    const name = rows[index].name;
    const next = new Set(selection.selected);
    const selecting = !next.has(name);
    if (event.shiftKey && anchor.current !== null) {
      const [from, to] = anchor.current < index ? [anchor.current, index] : [index, anchor.current];
      for (let i = from; i <= to; i++) {
        if (selecting) next.add(rows[i].name);
        else next.delete(rows[i].name);
      }
    } else if (selecting) next.add(name);
    else next.delete(name);
    anchor.current = index;
    selection.onChange(next);
  };

  const columns = useMemo(() => {
    const cols = [
      column.accessor("name", {
        header: "Key",
        cell: (info) => (
          <>
            <Link
              to={keyHref(info.getValue())}
              // Route discovery scans every link on each DOM change; virtualized rows change constantly.
              discover="none"
              preventScrollReset
              tabIndex={-1}
              // The name cut in the middle is two boxes; the accessible name is the whole name, as one string.
              aria-label={escapeInvisibles(info.getValue())}
              className="flex min-w-0 font-mono text-[13px] text-foreground hover:text-primary hover:underline"
            >
              <KeyName name={info.getValue()} truncate="middle" />
            </Link>
            {/* A phone's metadata column is too narrow for a failure and its buttons: they go under the name. */}
            {info.row.original._meta?.status === "error" ? (
              <RowFailure
                row={info.row.original}
                onRetry={onRetry}
                onDismiss={onDismiss}
                className="mt-1 flex flex-wrap items-center gap-1.5 sm:hidden"
              />
            ) : null}
          </>
        ),
      }),
      column.accessor("expiration", {
        header: "Expires",
        cell: (info) => {
          const exp = info.getValue();
          if (exp === undefined) return <span className="text-muted-foreground">never</span>;
          return (
            <time
              dateTime={new Date(exp * 1000).toISOString()}
              title={formatAbsolute(exp)}
              className="whitespace-nowrap text-xs sm:text-sm"
            >
              {formatRelative(exp, nowMs)}
            </time>
          );
        },
      }),
      column.accessor("metadata", {
        header: "Metadata",
        cell: (info) => {
          const row = info.row.original;
          if (row._meta?.status === "error")
            return <RowFailure row={row} onRetry={onRetry} onDismiss={onDismiss} className="hidden items-center gap-2 sm:flex" />;
          if (row._meta) {
            return (
              <span className="flex items-center gap-2">
                <StatusBadge meta={row._meta} />
              </span>
            );
          }
          const md = info.getValue();
          if (md === undefined) return <span className="text-muted-foreground">—</span>;
          const text = JSON.stringify(md);
          return (
            <span className="block truncate font-mono text-xs text-muted-foreground" title={text}>
              {text}
            </span>
          );
        },
      }),
    ];
    return cols;
  }, [keyHref, nowMs, onRetry, onDismiss]);

  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.name });
  const tableRows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (hasMore && !loading && lastIndex >= tableRows.length - LOAD_AHEAD_ROWS) onLoadMore();
  }, [hasMore, loading, lastIndex, tableRows.length, onLoadMore]);

  useEffect(() => {
    if (cursorIndex >= rows.length && rows.length > 0) setCursorIndex(rows.length - 1);
  }, [rows.length, cursorIndex]);

  const moveTo = (index: number) => {
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    setCursorIndex(clamped);
    virtualizer.scrollToIndex(clamped, { align: "auto" });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget || rows.length === 0) return;
    const key = event.key;
    if (key === "ArrowDown" || key === "j") moveTo(cursorIndex + 1);
    else if (key === "ArrowUp" || key === "k") moveTo(cursorIndex - 1);
    else if (key === "Home") moveTo(0);
    else if (key === "End") moveTo(rows.length - 1);
    else if (key === "PageDown") moveTo(cursorIndex + 15);
    else if (key === "PageUp") moveTo(cursorIndex - 15);
    else if (key === " " && selection) toggle(cursorIndex, event);
    else if (key === "Enter") props.onOpen(rows[cursorIndex].name);
    else if ((key === "Delete" || key === "Backspace") && selection && selection.selected.size > 0) selection.onRequestDelete();
    else if (key === "a" && (event.ctrlKey || event.metaKey) && selection) selection.onChange(new Set(rows.map((r) => r.name)));
    else if (key === "Escape" && selection) selection.onChange(new Set());
    else return;
    event.preventDefault();
  };

  const paddingTop = items.length ? items[0].start : 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const selectedCount = selection?.selected.size ?? 0;
  const allChecked = selection && rows.length > 0 && selectedCount >= rows.length && rows.every((r) => selection.selected.has(r.name));
  const colSpan = selection ? 4 : 3;
  const cursorRow = rows[cursorIndex];

  return (
    <div
      ref={scrollRef}
      // The list itself takes focus; the keyboard cursor's row shows it, and only for keyboard focus.
      className={cn(
        "group/keys min-h-0 flex-1 overflow-auto outline-none [overflow-anchor:none]",
        rows.length === 0 && "focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-ring",
      )}
      data-testid="keys-scroll"
      tabIndex={0}
      role="group"
      aria-label="Keys list: arrow keys or j and k move, space selects, Enter opens, Delete deletes the selection"
      onKeyDown={onKeyDown}
    >
      <span className="sr-only" aria-live="polite">
        {cursorRow ? `${escapeInvisibles(cursorRow.name)}${selection?.selected.has(cursorRow.name) ? ", selected" : ""}` : ""}
      </span>
      <table className="w-full table-fixed border-separate border-spacing-0 text-sm" aria-rowcount={hasMore ? -1 : tableRows.length + 1}>
        <caption className="sr-only">{caption}</caption>
        <colgroup>
          {selection ? <col className="w-10" /> : null}
          <col className="sm:w-[50%]" />
          <col className="w-[6.5rem] sm:w-[8.5rem]" />
          <col className="w-20 sm:w-auto" />
        </colgroup>
        <thead className="sticky top-0 z-10 bg-muted text-left">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1}>
              {selection ? (
                <th scope="col" className="border-b px-3 py-2">
                  <Checkbox
                    aria-label="Select all loaded keys"
                    checked={allChecked ? true : selectedCount > 0 ? "indeterminate" : false}
                    onCheckedChange={() => selection.onChange(allChecked ? new Set() : new Set(rows.map((r) => r.name)))}
                  />
                </th>
              ) : null}
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className="border-b px-2 py-2 sm:px-3 font-medium">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden>
              <td colSpan={colSpan} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = tableRows[item.index];
            const name = row.original.name;
            const checked = selection?.selected.has(name) ?? false;
            return (
              <tr
                key={row.id}
                aria-rowindex={item.index + 2}
                aria-current={name === activeKey ? "true" : undefined}
                aria-selected={selection ? checked : undefined}
                data-status={row.original._meta?.status}
                className={cn(
                  "hover:bg-accent/60",
                  name === activeKey && "bg-accent",
                  checked && "bg-primary/10",
                  item.index === cursorIndex &&
                    "group-focus-visible/keys:outline-2 group-focus-visible/keys:-outline-offset-2 group-focus-visible/keys:outline-ring group-focus-visible/keys:outline-solid",
                  row.original._meta?.status === "error" && "bg-destructive/5",
                )}
                style={{ height: ROW_HEIGHT }}
                // Measured: a failed row on a phone is taller (its failure wraps under the name).
                ref={virtualizer.measureElement}
                data-index={item.index}
              >
                {selection ? (
                  <td className="border-b px-3 py-1.5 align-middle">
                    <Checkbox
                      aria-label={`Select ${escapeInvisibles(name)}`}
                      checked={checked}
                      onClick={(event: MouseEvent) => {
                        event.preventDefault();
                        setCursorIndex(item.index);
                        toggle(item.index, event);
                      }}
                    />
                  </td>
                ) : null}
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="overflow-hidden border-b px-2 py-1.5 sm:px-3 align-middle">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 ? (
            <tr aria-hidden>
              <td colSpan={colSpan} style={{ height: paddingBottom, padding: 0 }} />
            </tr>
          ) : null}
        </tbody>
      </table>
      {loading ? (
        <p role="status" className="px-3 py-3 text-center text-sm text-muted-foreground">
          Loading more keys…
        </p>
      ) : null}
    </div>
  );
}

/** A failed change: its badge, why, and Retry / Dismiss (named with the key). Shown once per row, where it fits. */
function RowFailure({
  row,
  onRetry,
  onDismiss,
  className,
}: {
  row: KeyRow;
  onRetry?: (row: KeyRow) => void;
  onDismiss?: (row: KeyRow) => void;
  className: string;
}) {
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
