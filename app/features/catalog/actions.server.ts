// The namespace page's catalog actions: set its refresh schedule (admins) and remove it (editors).
// Removing a catalog whose listing is under way cancels that index job first. Both are audited.
import { data, type AppLoadContext } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { roleAtLeast, type SessionUser } from "~/auth/roles";
import { REFRESH_CHOICES } from "~/catalog/summary";
import { getServices } from "~/context.server";
import { cancelJob } from "~/jobs/api.server";
import { isUnfinished } from "~/jobs/types";

export async function catalogAction(input: {
  context: AppLoadContext;
  user: SessionUser;
  form: FormData;
  connectionId: number;
  namespaceId: string;
}) {
  const { context, user, form, connectionId, namespaceId } = input;
  const services = getServices(context);
  const catalogs = services.connections.catalog;
  const target = `connection ${connectionId} / namespace ${namespaceId}`;
  const intent = form.get("intent");
  if (intent === "schedule") {
    if (!roleAtLeast(user.role, "admin"))
      return data({ ok: false as const, error: "Only an admin can schedule refreshes." }, { status: 403 });
    const raw = String(form.get("refreshEveryMs") ?? "");
    const choice = REFRESH_CHOICES.find((c) => String(c.ms ?? "") === raw);
    if (!choice) return data({ ok: false as const, error: `“${raw}” is not one of the refresh intervals.` }, { status: 400 });
    if (!(await catalogs.setSchedule(connectionId, namespaceId, choice.ms)))
      return data({ ok: false as const, error: "This namespace has no catalog: index it first." }, { status: 404 });
    await recordAudit(context, { action: "catalog.schedule", target, details: { refreshEveryMs: choice.ms } });
    return data({ ok: true as const, message: `Catalog refresh: ${choice.label.toLowerCase()}.` });
  }
  if (intent === "remove") {
    const catalog = await catalogs.get(connectionId, namespaceId);
    if (!catalog) return data({ ok: false as const, error: "This namespace has no catalog." }, { status: 404 });
    if (catalog.scanJobId) {
      const job = await services.jobs.store.get(catalog.scanJobId);
      if (job && isUnfinished(job.state)) await cancelJob({ services, jobId: job.id }).catch(() => null);
    }
    const removed = await catalogs.remove(connectionId, namespaceId);
    await recordAudit(context, { action: "catalog.remove", target, count: removed?.keyCount ?? 0 });
    return data({ ok: true as const, message: "Catalog removed: searches list the namespace live again." });
  }
  return data({ ok: false as const, error: "Unknown catalog action." }, { status: 400 });
}
