// Route glue for jobs: find one or answer 404, and turn job API errors into form answers.
import { data, type AppLoadContext } from "@remix-run/node";
import { getServices } from "~/context.server";
import { JobInputError, JobNotFound, JobStateError, getJob } from "./api.server";

export async function requireJob(context: AppLoadContext, jobId: string | undefined) {
  const job = jobId ? await getJob({ services: getServices(context), jobId }) : null;
  if (!job) throw data({ message: "There is no such job." }, { status: 404 });
  return job;
}

/** A job API refusal as `{ ok: false, error }` with a fitting status; anything else is rethrown. */
export function jobRefusal(error: unknown) {
  if (error instanceof JobInputError)
    return data({ ok: false as const, error: error.message, fieldErrors: error.fieldErrors }, { status: 400 });
  if (error instanceof JobStateError) return data({ ok: false as const, error: error.message }, { status: 409 });
  if (error instanceof JobNotFound) return data({ ok: false as const, error: error.message }, { status: 404 });
  throw error;
}
