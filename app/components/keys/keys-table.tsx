// The keys of a namespace as a virtualized table: only the rows in view are in the DOM, so a
// million loaded keys scroll as smoothly as fifty. Reaching the end asks for the next page.
// Rows can be selected with their checkbox (shift-click for a range) or from the keyboard.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { cn } from "~/utils/cn";
import { escapeInvisibles } from "~/utils/format";
import { Checkbox } from "../ui/checkbox";
import { ExpiryCell, MetadataCell, NameCell, type RowActions } from "./key-cells";
import type { KeyRow } from "./row-states";

const ROW_HEIGHT = 37;
/** Start loading the next page this many rows before the end. */
const LOAD_AHEAD_ROWS = 200;
const CELL = "overflow-hidden border-b px-2 py-1.5 sm:px-3 align-middle";

export interface KeysTableProps extends RowActions {
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
}

export function KeysTable(props: KeysTableProps) {
  const { rows, hasMore, loading, onLoadMore, keyHref, activeKey, nowMs, caption, selection } = props;
  const actions: RowActions = { onRetry: props.onRetry, onDismiss: props.onDismiss };
  const anchor = useRef<number | null>(null);
  const [cursorAt, setCursorAt] = useState(0);
  // The keyboard cursor stays on the last row when rows go away under it.
  const cursorIndex = Math.max(0, Math.min(cursorAt, rows.length - 1));

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

  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- kvdeck does not run the React Compiler; the virtualizer stays in this component
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (hasMore && !loading && lastIndex >= rows.length - LOAD_AHEAD_ROWS) onLoadMore();
  }, [hasMore, loading, lastIndex, rows.length, onLoadMore]);

  const moveTo = (index: number) => {
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    setCursorAt(clamped);
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
    // One tab stop whose keys move a row cursor over the table inside (the journeys and screen
    // readers know it as the group "Keys list"); the rows' links and checkboxes stay out of the tab order.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- the group is the widget: its keys move the cursor
    <div
      ref={scrollRef}
      // The list itself takes focus; the keyboard cursor's row shows it, and only for keyboard focus.
      className={cn(
        "group/keys min-h-0 flex-1 overflow-auto outline-none [overflow-anchor:none]",
        rows.length === 0 && "focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-ring",
      )}
      data-testid="keys-scroll"
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrollable group must be reachable from the keyboard
      tabIndex={0}
      role="group"
      aria-label="Keys list: arrow keys or j and k move, space selects, Enter opens, Delete deletes the selection"
      onKeyDown={onKeyDown}
    >
      <span className="sr-only" aria-live="polite">
        {cursorRow ? `${escapeInvisibles(cursorRow.name)}${selection?.selected.has(cursorRow.name) ? ", selected" : ""}` : ""}
      </span>
      <table className="w-full table-fixed border-separate border-spacing-0 text-sm" aria-rowcount={hasMore ? -1 : rows.length + 1}>
        <caption className="sr-only">{caption}</caption>
        <colgroup>
          {selection ? <col className="w-10" /> : null}
          <col className="sm:w-[50%]" />
          <col className="w-[6.5rem] sm:w-[8.5rem]" />
          <col className="w-20 sm:w-auto" />
        </colgroup>
        <thead className="sticky top-0 z-10 bg-muted text-left">
          <tr aria-rowindex={1}>
            {selection ? (
              <th scope="col" className="border-b px-3 py-2">
                <Checkbox
                  aria-label="Select all loaded keys"
                  checked={allChecked ? true : selectedCount > 0 ? "indeterminate" : false}
                  onCheckedChange={() => selection.onChange(allChecked ? new Set() : new Set(rows.map((r) => r.name)))}
                />
              </th>
            ) : null}
            {["Key", "Expires", "Metadata"].map((label) => (
              <th key={label} scope="col" className="border-b px-2 py-2 sm:px-3 font-medium">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden>
              <td colSpan={colSpan} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = rows[item.index];
            const checked = selection?.selected.has(row.name) ?? false;
            return (
              <tr
                key={row.name}
                aria-rowindex={item.index + 2}
                aria-current={row.name === activeKey ? "true" : undefined}
                aria-selected={selection ? checked : undefined}
                data-status={row._meta?.status}
                className={cn(
                  "hover:bg-accent/60",
                  row.name === activeKey && "bg-accent",
                  checked && "bg-primary/10",
                  item.index === cursorIndex &&
                    "group-focus-visible/keys:outline-2 group-focus-visible/keys:-outline-offset-2 group-focus-visible/keys:outline-ring group-focus-visible/keys:outline-solid",
                  row._meta?.status === "error" && "bg-destructive/5",
                )}
                style={{ height: ROW_HEIGHT }}
                // Measured: a failed row on a phone is taller (its failure wraps under the name).
                ref={virtualizer.measureElement}
                data-index={item.index}
              >
                {selection ? (
                  <td className="border-b px-3 py-1.5 align-middle">
                    <Checkbox
                      aria-label={`Select ${escapeInvisibles(row.name)}`}
                      checked={checked}
                      onClick={(event: MouseEvent) => {
                        event.preventDefault();
                        setCursorAt(item.index);
                        toggle(item.index, event);
                      }}
                    />
                  </td>
                ) : null}
                <td className={CELL}>
                  <NameCell row={row} href={keyHref(row.name)} actions={actions} />
                </td>
                <td className={CELL}>
                  <ExpiryCell expiration={row.expiration} nowMs={nowMs} />
                </td>
                <td className={CELL}>
                  <MetadataCell row={row} actions={actions} />
                </td>
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
