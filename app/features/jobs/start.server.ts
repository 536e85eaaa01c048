// Starting a job from the namespace page's forms: read the form (a multipart import streams its
// file to disk first), validate it with the one start-a-job schema (app/jobs/payloads.ts, the
// dialogs validate with it too), start the job and audit it. Answers are for the dialogs' fetchers:
// `{ ok: true, job }`, or `{ ok: false, error, reply }` where `reply` is Conform's field errors.
import { parseWithZod } from "@conform-to/zod";
import {
  data,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type AppLoadContext,
} from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import type { SessionUser } from "~/auth/roles";
import { getServices, type AppServices } from "~/context.server";
import { saveImportUpload, startJob } from "~/jobs/api.server";
import { UploadTooLarge } from "~/jobs/files.server";
import { jobForm, jobStartFromForm } from "~/jobs/payloads";
import { jobRefusal } from "~/jobs/route-helpers.server";
import { MAX_IMPORT_FILE_BYTES } from "~/jobs/types";
import { readForm } from "~/utils/form-data.server";

/** The other fields of an import form are a few words each. */
const SMALL_FIELD_BYTES = 64 * 1024;

/** The form; an import's `file` part is saved as an upload and replaced by its id. Null: the file is too large. */
async function readJobForm(request: Request, services: AppServices): Promise<FormData | null> {
  try {
    return await readForm(request, (r) =>
      (r.headers.get("content-type") ?? "").startsWith("multipart/form-data")
        ? unstable_parseMultipartFormData(
            r,
            unstable_composeUploadHandlers(
              async ({ name, data: body }) => {
                if (name !== "file") return undefined;
                const { uploadId } = await saveImportUpload({ services, body, maxBytes: MAX_IMPORT_FILE_BYTES });
                return uploadId;
              },
              unstable_createMemoryUploadHandler({ maxPartSize: SMALL_FIELD_BYTES }),
            ),
          )
        : r.formData(),
    );
  } catch (error) {
    if (error instanceof UploadTooLarge) return null;
    throw error;
  }
}

export async function startJobFromForm(input: {
  request: Request;
  context: AppLoadContext;
  user: SessionUser;
  connectionId: number;
  namespaceId: string;
}) {
  const { context, user, connectionId, namespaceId } = input;
  const services = getServices(context);
  const form = await readJobForm(input.request, services);
  if (!form)
    return data({ ok: false as const, error: `The file is over ${MAX_IMPORT_FILE_BYTES / 1024 / 1024 / 1024} GiB.` }, { status: 413 });

  const submission = parseWithZod(form, { schema: jobForm });
  if (submission.status !== "success") {
    const first = Object.values(submission.error ?? {}).find((messages) => messages?.length)?.[0];
    return data({ ok: false as const, error: first ?? "The job's settings are not valid.", reply: submission.reply() }, { status: 400 });
  }
  const { kind, payload, dryRun, totalEstimate } = jobStartFromForm(submission.value);
  try {
    const job = await startJob({ services, user, connectionId, namespaceId, kind, payload, dryRun, totalEstimate });
    await recordAudit(context, {
      action: "job.start",
      target: `connection ${connectionId} / namespace ${namespaceId} / job ${job.id}`,
      count: job.totalEstimate,
      details: { kind, dryRun, payload: submission.value.kind === "delete-selected" ? { count: submission.value.keys.length } : payload },
    });
    return data({ ok: true as const, job });
  } catch (error) {
    return jobRefusal(error);
  }
}
