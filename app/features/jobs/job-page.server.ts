// A job's page: what it shows (the job, its recent errors, namespace titles) and how people steer
// it (pause, resume, cancel), audited.
import { data, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { getServices } from "~/context.server";
import { cancelJob, listJobErrors, pauseJob, resumeJob } from "~/jobs/api.server";
import { namespaceTitles } from "~/jobs/namespace-titles.server";
import { jobRefusal, requireJob } from "~/jobs/route-helpers.server";

const RECENT_ERRORS = 20;

export async function loadJobPage(context: AppLoadContext, jobId: string | undefined) {
  const job = await requireJob(context, jobId);
  const services = getServices(context);
  const [{ errors, total }, titles] = await Promise.all([
    listJobErrors({ services, jobId: job.id, limit: RECENT_ERRORS }),
    namespaceTitles(services, [job]),
  ]);
  return { job, errors, errorTotal: total, titles };
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
