// The keys of a namespace as a virtualized table: only the rows in view are in the DOM, so a
// million loaded keys scroll as smoothly as fifty. Reaching the end asks for the next page.
// Rows can be selected with their checkbox (shift-click for a range) or from the keyboard. The
// selection lives in a store the rows subscribe to (selection-store.ts), so selecting renders the
// rows it changed; the table itself renders again only for its rows, the cursor and scrolling.
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { cn } from "~/utils/cn";
import { escapeInvisibles } from "~/utils/format";
import { Checkbox } from "../ui/checkbox";
import type { RowActions } from "./key-cells";
import { KeyTableRow, ROW_HEIGHT } from "./key-table-row";
import type { KeyRow } from "./row-states";
import type { SelectionStore } from "./selection-store";
import { useIsSelected, useSelectionVersion } from "./use-selection";

/** Before paint in the browser; the server renders no scroll position (and React warns of a layout effect there). */
const useBeforePaint = typeof document === "undefined" ? useEffect : useLayoutEffect;

/** Start loading the next page this many rows before the end. */
const LOAD_AHEAD_ROWS = 200;

export interface KeysTableProps extends RowActions {
  rows: KeyRow[];
  /** Rows read before `rows[0]` and let go (use-key-pages.ts's window): the view keeps its key in place. */
  skipped: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  keyHref: (name: string) => string;
  onOpen: (name: string) => void;
  activeKey: string | null;
  nowMs: number;
  caption: string;
  /** Omitted: no selection column (a role that cannot change keys). Keep it the same object between renders. */
  selection?: {
    store: SelectionStore;
    onRequestDelete: () => void;
  };
}

/** Memoised: give it stable callbacks, and a click on a row renders only that row. */
export const KeysTable = memo(function KeysTable(props: KeysTableProps) {
  const { rows, skipped, hasMore, loading, onLoadMore, keyHref, activeKey, nowMs, caption, selection, onRetry, onDismiss } = props;
  const store = selection?.store ?? null;
  const actions: RowActions = useMemo(() => ({ onRetry, onDismiss }), [onRetry, onDismiss]);
  const [cursorAt, setCursorAt] = useState(0);
  // The keyboard cursor stays on the last row when rows go away under it.
  const cursorIndex = Math.max(0, Math.min(cursorAt, rows.length - 1));

  const onCheck = useCallback(
    (index: number, event: { shiftKey: boolean }) => {
      setCursorAt(index);
      store?.pick(index, event.shiftKey, rows);
    },
    [store, rows],
  );

  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- kvdeck does not run the React Compiler; the virtualizer stays in this component
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  // Rows let go at the start: the same key stays in view (and under the cursor), the pixels move.
  const skippedBefore = useRef(skipped);
  useBeforePaint(() => {
    const dropped = skipped - skippedBefore.current;
    skippedBefore.current = skipped;
    const element = scrollRef.current;
    if (dropped < 0) {
      // Back to the first key: the rows start over, and so does the view.
      if (element) element.scrollTop = 0;
      setCursorAt(0);
    }
    if (dropped <= 0) return;
    if (element) element.scrollTop = Math.max(0, element.scrollTop - dropped * ROW_HEIGHT);
    setCursorAt((at) => Math.max(0, at - dropped));
    store?.rowsDropped(dropped);
  }, [skipped, store]);
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
    else if (key === " " && selection) selection.store.pick(cursorIndex, event.shiftKey, rows);
    else if (key === "Enter") props.onOpen(rows[cursorIndex].name);
    else if ((key === "Delete" || key === "Backspace") && selection && selection.store.size() > 0) selection.onRequestDelete();
    else if (key === "a" && (event.ctrlKey || event.metaKey) && selection) selection.store.selectAll(rows.map((r) => r.name));
    else if (key === "Escape" && selection) selection.store.clear();
    else return;
    event.preventDefault();
  };

  const paddingTop = items.length ? items[0].start : 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
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
      <CursorAnnouncement name={cursorRow?.name} store={store} />
      <table
        className="w-full table-fixed border-separate border-spacing-0 text-sm"
        aria-rowcount={hasMore ? -1 : skipped + rows.length + 1}
      >
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
                <SelectAllCheckbox store={selection.store} rows={rows} />
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
            return (
              <KeyTableRow
                key={row.name}
                row={row}
                index={item.index}
                skipped={skipped}
                href={keyHref(row.name)}
                active={row.name === activeKey}
                cursor={item.index === cursorIndex}
                nowMs={nowMs}
                actions={actions}
                selection={store}
                onCheck={onCheck}
                measure={virtualizer.measureElement}
              />
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
});

/** Checked when every loaded row is selected, mixed when some are; a click selects all or none. */
function SelectAllCheckbox({ store, rows }: { store: SelectionStore; rows: KeyRow[] }) {
  const version = useSelectionVersion(store);
  // Scans the rows only while as many keys are selected as are loaded (after a select-all).
  const allChecked = useMemo(
    () => version >= 0 && rows.length > 0 && store.size() >= rows.length && rows.every((r) => store.has(r.name)),
    [version, store, rows],
  );
  return (
    <Checkbox
      aria-label="Select all loaded keys"
      checked={allChecked ? true : store.size() > 0 ? "indeterminate" : false}
      onCheckedChange={() => (allChecked ? store.clear() : store.selectAll(rows.map((r) => r.name)))}
    />
  );
}

/** What a screen reader hears as the cursor moves: the key, and whether it is selected. */
function CursorAnnouncement({ name, store }: { name: string | undefined; store: SelectionStore | null }) {
  const selected = useIsSelected(store, name ?? "");
  return (
    <span className="sr-only" aria-live="polite">
      {name !== undefined ? `${escapeInvisibles(name)}${selected ? ", selected" : ""}` : ""}
    </span>
  );
}
