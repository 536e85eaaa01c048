// A job's page: what it shows (the job, its recent errors, namespace titles) and how people steer
// it (pause, resume, cancel), audited.
import { data, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { getServices } from "~/context.server";
import { cancelJob, listJobErrors, pauseJob, resumeJob } from "~/jobs/api.server";
import { namespaceTitles } from "~/jobs/namespace-titles.server";
import { jobRefusal, requireJob } from "~/jobs/route-helpers.server";
import type { JobSnapshot, PlanResult } from "~/jobs/types";
import type { CatalogListingNow } from "~/components/jobs/plan-warnings";

const RECENT_ERRORS = 20;

export async function loadJobPage(context: AppLoadContext, jobId: string | undefined) {
  const job = await requireJob(context, jobId);
  const services = getServices(context);
  const [{ errors, total }, titles, catalogListing] = await Promise.all([
    listJobErrors({ services, jobId: job.id, limit: RECENT_ERRORS }),
    namespaceTitles(services, [job]),
    catalogListingFor(services, job),
  ]);
  return { job, errors, errorTotal: total, titles, catalogListing };
}

/**
 * For a plan made from the catalog: the catalog's last finished listing as it stands now (the
 * confirmation warns once it is newer than the one the plan read); null for any other job.
 */
async function catalogListingFor(services: ReturnType<typeof getServices>, job: JobSnapshot): Promise<CatalogListingNow | null> {
  if (!job.dryRun || !(job.result as PlanResult | null)?.dryRun?.plan?.fromCatalog) return null;
  const catalogs = services.connections.catalog;
  const catalog = await catalogs.get(job.connectionId, job.namespaceId);
  if (!catalog?.asOf) return null;
  const [last] = await catalogs.scans(catalog.id, 1);
  return { asOf: catalog.asOf.toISOString(), finishedAt: last?.finishedAt.toISOString() ?? null };
}

const STEERS = { pause: pauseJob, resume: resumeJob, cancel: cancelJob };
const steerIntent = z.enum(["pause", "resume", "cancel"]);

export async function steerJob(context: AppLoadContext, jobId: string | undefined, form: FormData) {
  const job = await requireJob(context, jobId);
  const intent = steerIntent.safeParse(form.get("intent"));
  if (!intent.success) return data({ ok: false as const, error: "Unknown action." }, { status: 400 });
  try {
    const next = await STEERS[intent.data]({ services: getServices(context), jobId: job.id });
    await recordAudit(context, { action: `job.${intent.data}`, target: `job ${job.id} (${job.kind})`, details: { state: next.state } });
    return data({ ok: true as const, job: next });
  } catch (error) {
    return jobRefusal(error);
  }
}
