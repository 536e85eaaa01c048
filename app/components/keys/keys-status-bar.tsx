// The line under the namespace's head: how many keys are loaded, and what can be done with them
// (select every matching key for a purge, or act on the rows selected here). It reads the
// selection's count from the store itself: selecting renders this line, not the page.
import { Link } from "@remix-run/react";
import type { KeyRule } from "~/kv/key-rule";
import { formatCount } from "~/utils/format";
import { VisibleText } from "../key-name";
import type { RecycleOffer } from "~/features/recycle/bin.server";
import { SelectAllMatching } from "../jobs/select-all-matching";
import { Button } from "../ui/button";
import type { SelectionStore } from "./selection-store";
import { useSelectedCount } from "./use-selection";

export function KeysStatusBar({
  text,
  base,
  rule,
  filterQuery,
  namespaceTitle,
  recycle,
  offerSelectAll,
  selection,
  onDeleteSelected,
  verifyLiveHref,
  source,
}: {
  text: string;
  /** Where the rows came from: the catalog (as of when) or the upstream (what it cost). */
  source?: string;
  /** An answer from the catalog: the same filter against the upstream. */
  verifyLiveHref?: string;
  base: string;
  rule: KeyRule;
  filterQuery: string;
  namespaceTitle: string;
  recycle: RecycleOffer;
  offerSelectAll: boolean;
  selection: SelectionStore;
  onDeleteSelected: () => void;
}) {
  const selectedCount = useSelectedCount(selection);
  return (
    <div className="flex min-h-9 flex-wrap items-center gap-3 border-b px-4 py-1.5 text-xs text-muted-foreground">
      <p role="status" aria-live="polite" className="min-w-0 break-all">
        <VisibleText text={text} />
      </p>
      {source ? <p className="min-w-0">{source}</p> : null}
      {verifyLiveHref ? (
        <Button asChild size="sm" variant="outline">
          <Link to={verifyLiveHref}>Verify live</Link>
        </Button>
      ) : null}
      {offerSelectAll && selectedCount === 0 ? (
        <div className="ml-auto">
          <SelectAllMatching
            key={filterQuery}
            action={`${base}/jobs`}
            rule={rule}
            namespaceTitle={namespaceTitle}
            recycle={recycle}
            fromCatalog={Boolean(verifyLiveHref)}
          />
        </div>
      ) : null}
      {selectedCount > 0 ? (
        <div role="toolbar" aria-label="Selection" className="ml-auto flex items-center gap-2 text-sm text-foreground">
          <span>{formatCount(selectedCount)} selected</span>
          <Button size="sm" variant="destructive" onClick={onDeleteSelected}>
            Delete {formatCount(selectedCount)} {selectedCount === 1 ? "key" : "keys"}
          </Button>
          <Button size="sm" variant="ghost" onClick={selection.clear}>
            Clear selection
          </Button>
        </div>
      ) : null}
    </div>
  );
}
