// The account's namespaces as a sortable table: title (a link, with the row's pending operation
// or running job), id, and an admin's Rename and Delete.
import { Link } from "@remix-run/react";
import { VisibleText } from "~/components/key-name";
import { SortHeader, type SortDirection } from "~/components/sort-header";
import { Button } from "~/components/ui/button";
import type { NamespaceRow } from "~/features/namespaces/types";
import { escapeInvisibles, formatCount, formatRelative } from "~/utils/format";
import { NamespaceStatus } from "./namespace-status";
import type { SortColumn } from "./use-namespace-list";

export function NamespacesTable({
  connection,
  rows,
  sort,
  direction,
  onSort,
  filter,
  canAdmin,
  onRename,
  onDelete,
  now,
}: {
  /** The loader's time: catalog ages read the same on the server and in the browser. */
  now: number;
  connection: { id: number; name: string };
  rows: NamespaceRow[];
  sort: SortColumn;
  direction: SortDirection;
  onSort: (column: SortColumn) => void;
  filter: string;
  canAdmin: boolean;
  onRename: (row: NamespaceRow) => void;
  onDelete: (row: NamespaceRow) => void;
}) {
  return (
    <div className="relative overflow-x-auto rounded-lg border">
      <table className="w-full text-sm">
        <caption className="sr-only">Namespaces of {escapeInvisibles(connection.name)}</caption>
        <thead className="bg-muted/60 text-left">
          <tr>
            <SortHeader label="Title" active={sort === "title"} direction={direction} onSort={() => onSort("title")} />
            <SortHeader
              label="ID"
              active={sort === "id"}
              direction={direction}
              onSort={() => onSort("id")}
              className="hidden sm:table-cell"
            />
            <SortHeader label="Keys" active={sort === "keys"} direction={direction} onSort={() => onSort("keys")} className="text-right" />
            <SortHeader
              label="Catalog age"
              active={sort === "age"}
              direction={direction}
              onSort={() => onSort("age")}
              className="hidden md:table-cell"
            />
            <th scope="col" className="px-3 py-2 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y">
          {rows.map((n) => (
            <tr key={n.id} className="hover:bg-accent/60" data-status={n._meta?.status}>
              <td className="px-3 py-2">
                {n._meta?.status === "creating" && n.id.startsWith("pending-") ? (
                  <VisibleText text={n.title} className="break-all font-medium" />
                ) : (
                  <Link to={`/accounts/${connection.id}/namespaces/${n.id}`} className="break-all font-medium text-primary hover:underline">
                    <VisibleText text={n.title} />
                  </Link>
                )}
                {n._meta ? <NamespaceStatus title={n.title} meta={n._meta} /> : null}
              </td>
              <td className="hidden px-3 py-2 font-mono text-xs text-muted-foreground sm:table-cell">
                {n.id.startsWith("pending-") ? "—" : n.id}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{n.catalog ? formatCount(n.catalog.keyCount) : "—"}</td>
              <td className="hidden px-3 py-2 text-muted-foreground md:table-cell">{catalogAge(n, now)}</td>
              <td className="px-3 py-2 text-right whitespace-nowrap">
                {canAdmin ? (
                  <>
                    <Button size="sm" variant="ghost" onClick={() => onRename(n)} aria-label={`Rename ${escapeInvisibles(n.title)}`}>
                      Rename
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-destructive"
                      onClick={() => onDelete(n)}
                      aria-label={`Delete ${escapeInvisibles(n.title)}`}
                    >
                      Delete
                    </Button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
          {rows.length === 0 ? (
            <tr>
              <td colSpan={5} className="px-3 py-6 text-center text-muted-foreground">
                No namespace matches “{filter}”.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

function catalogAge(row: NamespaceRow, now: number): string {
  if (!row.catalog) return "not indexed";
  if (!row.catalog.asOf) return "being built";
  return `as of ${formatRelative(Date.parse(row.catalog.asOf) / 1000, now)}`;
}
