// One row of the keys table. Memoised, and it reads its own key's selection from the store, so a
// click, a range or a cursor move renders the rows it changed, not every row in view.
import { memo, type MouseEvent } from "react";
import { cn } from "~/utils/cn";
import { escapeInvisibles } from "~/utils/format";
import { Checkbox } from "../ui/checkbox";
import { ExpiryCell, MetadataCell, NameCell, type RowActions } from "./key-cells";
import type { KeyRow } from "./row-states";
import type { SelectionStore } from "./selection-store";
import { useIsSelected } from "./use-selection";

export const ROW_HEIGHT = 37;
const CELL = "overflow-hidden border-b px-2 py-1.5 sm:px-3 align-middle";

export interface KeyTableRowProps {
  row: KeyRow;
  index: number;
  /** Rows before the table's first (let go by the window): aria-rowindex counts them. */
  skipped: number;
  href: string;
  /** The key open in the panel. */
  active: boolean;
  /** The keyboard cursor's row. */
  cursor: boolean;
  nowMs: number;
  actions: RowActions;
  /** Null: no selection column. */
  selection: SelectionStore | null;
  /** A click on the row's checkbox (shift for a range). */
  onCheck: (index: number, event: { shiftKey: boolean }) => void;
  /** The virtualizer's measuring ref. */
  measure: (element: HTMLTableRowElement | null) => void;
}

export const KeyTableRow = memo(function KeyTableRow({
  row,
  index,
  skipped,
  href,
  active,
  cursor,
  nowMs,
  actions,
  selection,
  onCheck,
  measure,
}: KeyTableRowProps) {
  const checked = useIsSelected(selection, row.name);
  return (
    <tr
      aria-rowindex={skipped + index + 2}
      aria-current={active ? "true" : undefined}
      aria-selected={selection ? checked : undefined}
      data-status={row._meta?.status}
      className={cn(
        "hover:bg-accent/60",
        active && "bg-accent",
        checked && "bg-primary/10",
        cursor &&
          "group-focus-visible/keys:outline-2 group-focus-visible/keys:-outline-offset-2 group-focus-visible/keys:outline-ring group-focus-visible/keys:outline-solid",
        row._meta?.status === "error" && "bg-destructive/5",
      )}
      style={{ height: ROW_HEIGHT }}
      // Measured: a failed row on a phone is taller (its failure wraps under the name).
      ref={measure}
      data-index={index}
    >
      {selection ? (
        <td className="border-b px-3 py-1.5 align-middle">
          <Checkbox
            aria-label={`Select ${escapeInvisibles(row.name)}`}
            checked={checked}
            onClick={(event: MouseEvent) => {
              event.preventDefault();
              onCheck(index, event);
            }}
          />
        </td>
      ) : null}
      <td className={CELL}>
        <NameCell row={row} href={href} actions={actions} />
      </td>
      <td className={CELL}>
        <ExpiryCell expiration={row.expiration} nowMs={nowMs} />
      </td>
      <td className={CELL}>
        <MetadataCell row={row} actions={actions} />
      </td>
    </tr>
  );
});
