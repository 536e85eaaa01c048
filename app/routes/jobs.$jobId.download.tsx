// A finished export's file.
import fs from "node:fs";
import { Readable } from "node:stream";
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { getServices } from "~/context.server";
import { exportFile } from "~/jobs/api.server";
import { requireJob } from "~/jobs/route-helpers.server";
import { contentDisposition } from "~/kv/keys.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const job = await requireJob(context, params.jobId);
  const file = await exportFile({ services: getServices(context), jobId: job.id });
  if (!file) throw data({ message: "This job has no file to download (yet)." }, { status: 404 });
  const body = Readable.toWeb(fs.createReadStream(file.path)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.size),
      "Content-Disposition": contentDisposition(file.name),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    },
  });
}
