// Starts jobs on a namespace: purge, export, copy/move, bulk expiry, large deletes (a form with
// the kind and its JSON payload), and imports (a multipart upload streamed to disk). Its page is
// the jobs list kept to this namespace.
import {
  data,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { getServices } from "~/context.server";
import { saveImportUpload, startJob } from "~/jobs/api.server";
import { UploadTooLarge } from "~/jobs/files.server";
import { jobRefusal } from "~/jobs/route-helpers.server";
import { JOB_KINDS, MAX_IMPORT_FILE_BYTES, type JobKind } from "~/jobs/types";
import { requireConnection } from "~/kv/guards.server";
import { readForm } from "~/utils/form-data.server";
import { resourceAction } from "~/utils/resource-route.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { connection } = await requireConnection(context, params.connectionId);
  return redirect(`/jobs?connection=${connection.id}&namespace=${encodeURIComponent(params.namespaceId!)}`);
}

/** The other fields of an import form are a few words each. */
const SMALL_FIELD_BYTES = 64 * 1024;

/** Resource route: `data()` answers become Responses with their status (app/utils/resource-route.server.ts). */
export const action = resourceAction(startJobFromForm);

async function startJobFromForm({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(context, "editor");
  const { connection } = await requireConnection(context, params.connectionId);
  const services = getServices(context);
  const namespaceId = params.namespaceId!;
  let form: FormData;
  try {
    form = await readForm(request, (r) =>
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
    if (error instanceof UploadTooLarge) {
      return data({ ok: false as const, error: `The file is over ${MAX_IMPORT_FILE_BYTES / 1024 / 1024 / 1024} GiB.` }, { status: 413 });
    }
    throw error;
  }

  const kind = String(form.get("kind")) as JobKind;
  if (!JOB_KINDS.includes(kind)) return data({ ok: false as const, error: "Unknown job kind." }, { status: 400 });
  let payload: unknown;
  if (kind === "import") {
    const uploadId = form.get("file");
    if (typeof uploadId !== "string" || !uploadId) return data({ ok: false as const, error: "Choose a file to import." }, { status: 400 });
    payload = { uploadId, format: form.get("format"), onCollision: form.get("onCollision") ?? undefined };
  } else {
    try {
      payload = JSON.parse(String(form.get("payload") ?? "{}"));
    } catch {
      return data({ ok: false as const, error: "The job's settings are not valid JSON." }, { status: 400 });
    }
  }
  const dryRun = form.get("dryRun") === "1";
  const estimate = Number(form.get("totalEstimate"));
  try {
    const job = await startJob({
      services,
      user,
      connectionId: connection.id,
      namespaceId,
      kind,
      payload,
      dryRun,
      // A hint from the page: a count the database can hold, or none.
      totalEstimate: Number.isSafeInteger(estimate) && estimate > 0 ? estimate : undefined,
    });
    await recordAudit(context, {
      action: "job.start",
      target: `connection ${connection.id} / namespace ${namespaceId} / job ${job.id}`,
      count: job.totalEstimate,
      details: { kind, dryRun, payload: kind === "delete-selected" ? { count: (payload as { keys?: unknown[] }).keys?.length } : payload },
    });
    return data({ ok: true as const, job });
  } catch (error) {
    return jobRefusal(error);
  }
}
