// The audit log as CSV (the audit page's filters apply), streamed a batch at a time.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditEventsForExport, parseAuditFilter, recordAudit } from "~/audit/audit.server";
import { csvRow } from "~/audit/csv";
import { requireRole } from "~/auth/guards.server";
import { getServices } from "~/context.server";

const COLUMNS = ["id", "at", "user_id", "username", "action", "target", "count", "outcome", "details"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, "admin");
  const { db } = getServices(context).database;
  const filter = parseAuditFilter(new URL(request.url).searchParams);
  await recordAudit(context, { action: "audit.export", details: { filter } });

  const batches = auditEventsForExport(db, filter);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow(COLUMNS)));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) return controller.close();
      const rows = next.value.map((e) => csvRow([e.id, e.at, e.userId, e.username, e.action, e.target, e.count, e.outcome, e.details]));
      controller.enqueue(encoder.encode(rows.join("")));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  // The name is built here from digits only, so it needs no escaping.
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="kvdeck-audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
