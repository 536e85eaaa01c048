// The audit log's events, newest first: when, who, what, on what, how many, the outcome and details.
import type { AuditOutcome } from "~/audit/outcomes";
import { formatAbsolute, formatCount } from "~/utils/format";
import { VisibleText } from "../key-name";
import { Badge } from "../ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "../ui/table";

const outcomeVariant = { ok: "success", partial: "warning", failed: "destructive" } as const;

export interface AuditEventRow {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  username: string | null;
  action: string;
  target: string | null;
  count: number | null;
  outcome: AuditOutcome;
  details: unknown;
}

export function AuditTable({ events }: { events: AuditEventRow[] }) {
  return (
    <Table>
      <caption className="sr-only">Audit events, newest first</caption>
      <TableHeader>
        <TableRow>
          <TableHead>When (UTC)</TableHead>
          <TableHead>User</TableHead>
          <TableHead>Action</TableHead>
          <TableHead>Target</TableHead>
          <TableHead className="text-right">Count</TableHead>
          <TableHead>Outcome</TableHead>
          <TableHead>Details</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {events.map((e) => (
          <TableRow key={e.id} className="align-top">
            <TableCell className="whitespace-nowrap font-mono text-xs">
              {formatAbsolute(Math.floor(e.at / 1000)).replace(" UTC", "")}
            </TableCell>
            <TableCell>{e.username ? <VisibleText text={e.username} /> : <span className="text-muted-foreground">—</span>}</TableCell>
            <TableCell className="font-mono text-xs">{e.action}</TableCell>
            <TableCell className="max-w-xs break-all text-xs">{e.target ? <VisibleText text={e.target} /> : null}</TableCell>
            <TableCell className="text-right tabular-nums">{e.count === null ? "" : formatCount(e.count)}</TableCell>
            <TableCell>
              <Badge variant={outcomeVariant[e.outcome]}>{e.outcome}</Badge>
            </TableCell>
            <TableCell className="max-w-sm">
              {e.details ? (
                <code className="line-clamp-3 break-all text-xs text-muted-foreground">
                  <VisibleText text={JSON.stringify(e.details)} />
                </code>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
