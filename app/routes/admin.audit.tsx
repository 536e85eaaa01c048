// The audit log: filter by user, action, outcome and date range (UTC days), page through, export.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { auditFilterChoices, listAuditEvents, parseAuditFilter } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { AuditFilterForm } from "~/components/admin/audit-filter-form";
import { AuditTable } from "~/components/admin/audit-table";
import { RouteError } from "~/components/route-error";
import { Button } from "~/components/ui/button";
import { getServices } from "~/context.server";
import { formatCount } from "~/utils/format";

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
      <AuditFilterForm filter={filter} choices={choices} />
      <p role="status" className="text-sm text-muted-foreground">
        {total === 0 ? "No events match." : `${formatCount(total)} events · page ${formatCount(page)} of ${formatCount(pages)}`}
      </p>
      {events.length > 0 ? <AuditTable events={events} /> : null}
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
