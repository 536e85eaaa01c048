// A sortable column header: a real button inside a <th> carrying aria-sort.
import { cn } from "~/utils/cn";

export type SortDirection = "asc" | "desc";

export function SortHeader({
  label,
  active,
  direction,
  onSort,
  className,
}: {
  label: string;
  active: boolean;
  direction: SortDirection;
  onSort: () => void;
  className?: string;
}) {
  return (
    <th
      scope="col"
      aria-sort={active ? (direction === "asc" ? "ascending" : "descending") : "none"}
      className={cn("px-3 py-2 font-medium", className)}
    >
      <button type="button" onClick={onSort} className="inline-flex items-center gap-1 hover:text-foreground">
        {label}
        <span aria-hidden className="text-xs text-muted-foreground">
          {active ? (direction === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}
