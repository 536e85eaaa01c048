// The audit log: filter by user, action, outcome and date range (UTC days), page through, export.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { auditFilterChoices, listAuditEvents, parseAuditFilter } from "~/audit/audit.server";
import { AUDIT_OUTCOMES } from "~/audit/outcomes";
import { requireRole } from "~/auth/guards.server";
import { VisibleText } from "~/components/key-name";
import { RouteError } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { getServices } from "~/context.server";
import { formatAbsolute, formatCount } from "~/utils/format";

const PAGE_SIZE = 50;
/** Offsets past this are refused: narrow the filter or export instead. */
const MAX_PAGE = 2_000;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, "admin");
  const { db } = getServices(context).database;
  const search = new URL(request.url).searchParams;
  const filter = parseAuditFilter(search);
  const page = Math.min(MAX_PAGE, Math.max(1, Math.floor(Number(search.get("page")) || 1)));
  const [{ events, total }, choices] = await Promise.all([
    listAuditEvents(db, filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    auditFilterChoices(db),
  ]);
  return {
    filter,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    total,
    choices,
    events: events.map((e) => ({ ...e, at: e.at.getTime() })),
  };
}

const selectClass = "flex h-9 w-full rounded-md border border-input bg-background px-2 text-sm";
const outcomeVariant = { ok: "success", partial: "warning", failed: "destructive" } as const;

export default function AuditLog() {
  const { filter, page, pages, total, choices, events } = useLoaderData<typeof loader>();
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1])));
  const pageHref = (n: number) => `?${new URLSearchParams([...query, ["page", String(n)]])}`;
  const exportHref = `/admin/audit.csv${query.size ? `?${query}` : ""}`;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-xl font-semibold">Audit log</h1>
        <Button asChild variant="outline" size="sm">
          <a href={exportHref} download>
            Export CSV
          </a>
        </Button>
      </div>
      <Form method="get" className="grid items-end gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter the audit log">
        <label className="space-y-1 text-sm">
          <span className="font-medium">User</span>
          <select name="user" defaultValue={filter.user ?? ""} className={selectClass}>
            <option value="">anyone</option>
            {choices.usernames.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Action</span>
          <select name="action" defaultValue={filter.action ?? ""} className={selectClass}>
            <option value="">any</option>
            {choices.actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Outcome</span>
          <select name="outcome" defaultValue={filter.outcome ?? ""} className={selectClass}>
            <option value="">any</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">From (UTC)</span>
          <Input type="date" name="from" defaultValue={filter.from ?? ""} />
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">To (UTC)</span>
          <Input type="date" name="to" defaultValue={filter.to ?? ""} />
        </label>
        <div className="flex gap-2">
          <Button type="submit">Filter</Button>
          <Button asChild variant="ghost">
            <Link to="/admin/audit">Clear</Link>
          </Button>
        </div>
      </Form>
      <p role="status" className="text-sm text-muted-foreground">
        {total === 0 ? "No events match." : `${formatCount(total)} events · page ${formatCount(page)} of ${formatCount(pages)}`}
      </p>
      {events.length > 0 ? (
        <div className="overflow-x-auto rounded-lg border">
          <table className="w-full text-sm">
            <caption className="sr-only">Audit events, newest first</caption>
            <thead className="bg-muted/60 text-left">
              <tr>
                <th className="px-3 py-2 font-medium">When (UTC)</th>
                <th className="px-3 py-2 font-medium">User</th>
                <th className="px-3 py-2 font-medium">Action</th>
                <th className="px-3 py-2 font-medium">Target</th>
                <th className="px-3 py-2 text-right font-medium">Count</th>
                <th className="px-3 py-2 font-medium">Outcome</th>
                <th className="px-3 py-2 font-medium">Details</th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {events.map((e) => (
                <tr key={e.id} className="align-top">
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
                    {formatAbsolute(Math.floor(e.at / 1000)).replace(" UTC", "")}
                  </td>
                  <td className="px-3 py-2">
                    {e.username ? <VisibleText text={e.username} /> : <span className="text-muted-foreground">—</span>}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
                  <td className="max-w-xs break-all px-3 py-2 text-xs">{e.target ? <VisibleText text={e.target} /> : null}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{e.count === null ? "" : formatCount(e.count)}</td>
                  <td className="px-3 py-2">
                    <Badge variant={outcomeVariant[e.outcome]}>{e.outcome}</Badge>
                  </td>
                  <td className="max-w-sm px-3 py-2">
                    {e.details ? (
                      <code className="line-clamp-3 break-all text-xs text-muted-foreground">
                        <VisibleText text={JSON.stringify(e.details)} />
                      </code>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {pages > 1 ? (
        <nav aria-label="Pages" className="flex items-center justify-between text-sm">
          {page > 1 ? (
            <Link to={pageHref(page - 1)} className="text-primary underline">
              ← Newer
            </Link>
          ) : (
            <span />
          )}
          {page < Math.min(pages, MAX_PAGE) ? (
            <Link to={pageHref(page + 1)} className="text-primary underline">
              Older →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Audit log · kvdeck" }];

export function ErrorBoundary() {
  return <RouteError />;
}
