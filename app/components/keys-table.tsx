// The keys of a namespace as a virtualized table: only the rows in view are in the DOM, so a
// million loaded keys scroll as smoothly as fifty. Reaching the end asks for the next page.
import { Link } from "@remix-run/react";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef } from "react";
import { cn } from "~/utils/cn";
import { formatAbsolute, formatRelative } from "~/utils/format";

export interface KeyRow {
  name: string;
  expiration?: number;
  metadata?: unknown;
}

const ROW_HEIGHT = 37;
/** Start loading the next page this many rows before the end. */
const LOAD_AHEAD_ROWS = 200;

const column = createColumnHelper<KeyRow>();

export function KeysTable({
  rows,
  hasMore,
  loading,
  onLoadMore,
  keyHref,
  activeKey,
  nowMs,
  caption,
}: {
  rows: KeyRow[];
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  keyHref: (name: string) => string;
  activeKey: string | null;
  nowMs: number;
  caption: string;
}) {
  const columns = useMemo(
    () => [
      column.accessor("name", {
        header: "Key",
        cell: (info) => (
          <Link
            to={keyHref(info.getValue())}
            // Route discovery scans every link on each DOM change; virtualized rows change constantly.
            discover="none"
            preventScrollReset
            className="block truncate font-mono text-[13px] text-foreground hover:text-primary hover:underline"
            title={info.getValue()}
          >
            {info.getValue()}
          </Link>
        ),
      }),
      column.accessor("expiration", {
        header: "Expires",
        cell: (info) => {
          const exp = info.getValue();
          if (exp === undefined) return <span className="text-muted-foreground">never</span>;
          return (
            <time dateTime={new Date(exp * 1000).toISOString()} title={formatAbsolute(exp)} className="whitespace-nowrap">
              {formatRelative(exp, nowMs)}
            </time>
          );
        },
      }),
      column.accessor("metadata", {
        header: "Metadata",
        cell: (info) => {
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
    ],
    [keyHref, nowMs],
  );

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

  const paddingTop = items.length ? items[0].start : 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;

  return (
    <div ref={scrollRef} className="min-h-0 flex-1 overflow-auto [overflow-anchor:none]" data-testid="keys-scroll">
      <table className="w-full table-fixed border-separate border-spacing-0 text-sm" aria-rowcount={hasMore ? -1 : tableRows.length + 1}>
        <caption className="sr-only">{caption}</caption>
        <colgroup>
          <col className="w-[55%]" />
          <col className="w-[9rem]" />
          <col />
        </colgroup>
        <thead className="sticky top-0 z-10 bg-muted text-left">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className="border-b px-3 py-2 font-medium">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden>
              <td colSpan={3} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = tableRows[item.index];
            return (
              <tr
                key={row.id}
                aria-rowindex={item.index + 2}
                aria-current={row.original.name === activeKey ? "true" : undefined}
                className={cn("hover:bg-accent/60", row.original.name === activeKey && "bg-accent")}
                style={{ height: ROW_HEIGHT }}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="overflow-hidden border-b px-3 py-1.5 align-middle">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 ? (
            <tr aria-hidden>
              <td colSpan={3} style={{ height: paddingBottom, padding: 0 }} />
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
