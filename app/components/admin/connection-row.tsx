// One upstream account on the connections page, with its delete (two steps).
import { useFetcher } from "@remix-run/react";
import type { ActionResult } from "~/features/admin/action-result";
import type { ConnectionRowData } from "~/features/admin/connections.server";
import { escapeInvisibles, formatAbsolute } from "~/utils/format";
import { VisibleText } from "../key-name";
import { Badge } from "../ui/badge";
import { TableCell, TableRow } from "../ui/table";
import { TwoStepDelete } from "./two-step-delete";

export function ConnectionRow({ connection: c }: { connection: ConnectionRowData }) {
  const fetcher = useFetcher<ActionResult>();
  return (
    <TableRow aria-label={escapeInvisibles(c.name)}>
      <TableCell className="align-top">
        <VisibleText text={c.name} className="font-medium" />{" "}
        {c.source === "env" ? (
          <Badge variant="outline" title="Set by CLOUDFLARE_* variables or the local KV API">
            environment
          </Badge>
        ) : null}
        {fetcher.data && !fetcher.data.ok ? (
          <p role="alert" className="text-xs text-destructive">
            <VisibleText text={fetcher.data.error} />
          </p>
        ) : null}
      </TableCell>
      <TableCell className="align-top">
        <Badge variant={c.kind === "local" ? "secondary" : "default"}>{c.kind === "local" ? "local KV API" : "Cloudflare"}</Badge>
      </TableCell>
      <TableCell className="align-top font-mono text-xs">{c.accountId}</TableCell>
      <TableCell className="align-top text-xs text-muted-foreground">
        {c.baseUrl ?? (c.kind === "local" ? "this server" : "api.cloudflare.com")}
        {c.hasToken ? " · token stored (sealed)" : ""}
      </TableCell>
      <TableCell className="align-top text-muted-foreground">{formatAbsolute(Math.floor(c.createdAt / 1000))}</TableCell>
      <TableCell className="text-right align-top">
        {c.source === "env" ? null : (
          <TwoStepDelete fetcher={fetcher} id={c.id} label={escapeInvisibles(c.name)}>
            <VisibleText text={c.name} />
          </TwoStepDelete>
        )}
      </TableCell>
    </TableRow>
  );
}
