// The line under the namespace's head: how many keys are loaded, and what can be done with them
// (select every matching key for a purge, or act on the rows selected here).
import type { KeyRule } from "~/kv/key-rule";
import { formatCount } from "~/utils/format";
import { VisibleText } from "../key-name";
import { SelectAllMatching } from "../jobs/select-all-matching";
import { Button } from "../ui/button";

export function KeysStatusBar({
  text,
  base,
  rule,
  filterQuery,
  namespaceTitle,
  offerSelectAll,
  selectedCount,
  onDeleteSelected,
  onClearSelection,
}: {
  text: string;
  base: string;
  rule: KeyRule;
  filterQuery: string;
  namespaceTitle: string;
  offerSelectAll: boolean;
  selectedCount: number;
  onDeleteSelected: () => void;
  onClearSelection: () => void;
}) {
  return (
    <div className="flex min-h-9 flex-wrap items-center gap-3 border-b px-4 py-1.5 text-xs text-muted-foreground">
      <p role="status" aria-live="polite" className="min-w-0 break-all">
        <VisibleText text={text} />
      </p>
      {offerSelectAll && selectedCount === 0 ? (
        <div className="ml-auto">
          <SelectAllMatching key={filterQuery} action={`${base}/jobs`} rule={rule} namespaceTitle={namespaceTitle} />
        </div>
      ) : null}
      {selectedCount > 0 ? (
        <div role="toolbar" aria-label="Selection" className="ml-auto flex items-center gap-2 text-sm text-foreground">
          <span>{formatCount(selectedCount)} selected</span>
          <Button size="sm" variant="destructive" onClick={onDeleteSelected}>
            Delete {formatCount(selectedCount)} {selectedCount === 1 ? "key" : "keys"}
          </Button>
          <Button size="sm" variant="ghost" onClick={onClearSelection}>
            Clear selection
          </Button>
        </div>
      ) : null}
    </div>
  );
}
