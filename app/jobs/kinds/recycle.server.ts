// A destructive job's copies (purge, delete-selected, move): before each batch is deleted, its keys
// are read and written to the recycle bin under the job's id, inside the batch's write-ahead, so a
// crash between the copy and the delete replays both and a key is deleted only once copied. Whether
// the job keeps copies is decided on its first run (the payload's choice, else the connection's
// default) and kept in its checkpoint, so a resume does the same.
import type { ReadValue } from "~/kv/read-values.server";
import type { Job } from "~/db/schema";
import { copyBeforeDelete, copyOf } from "~/recycle/copy.server";
import type { RecycleChoice } from "~/recycle/settings";
import { type DeletionOperation, RecycleBinFull } from "~/recycle/store.server";
import type { JobContext, JobDeps } from "../context.server";
import { JobFailure } from "../stop";

export interface JobCopier {
  /** Reads the keys and keeps their copies. */
  copy(keys: string[]): Promise<void>;
  /** Keeps copies of values the job has read already (a move): no request. */
  keepRead(values: Map<string, ReadValue>, keys: Iterable<string>): Promise<void>;
}

/** The job's copier, or null when it keeps no copies (a dry run, or skipped). */
export async function jobCopier(
  ctx: JobContext<{ recycle?: RecycleChoice }>,
  operation: DeletionOperation,
  description: string,
): Promise<JobCopier | null> {
  if (ctx.dryRun) return null;
  const { recycle } = ctx.deps;
  if (ctx.data.recycle === undefined) {
    const choice = ctx.payload.recycle;
    ctx.data.recycle = choice ? choice === "keep" : (await recycle.settings(ctx.connection.id)).copyByDefault;
  }
  if (ctx.data.recycle !== true) return null;
  await recycle.open({
    id: ctx.id,
    connectionId: ctx.connection.id,
    namespaceId: ctx.row.namespaceId,
    operation,
    description,
    createdBy: ctx.row.createdBy,
  });
  const full = (error: unknown) => {
    throw error instanceof RecycleBinFull ? new JobFailure(`${error.message} Keys deleted before this batch have their copies.`) : error;
  };
  return {
    copy: (keys) =>
      copyBeforeDelete(recycle, ctx.upstream, ctx.row.namespaceId, ctx.id, keys, (run, options) => ctx.ops.request(run, options)).then(
        () => undefined,
        full,
      ),
    async keepRead(values, keys) {
      const copies = [];
      for (const key of keys) {
        const read = values.get(key);
        if (read) copies.push(copyOf(key, read));
      }
      await recycle.addCopies(ctx.id, copies).catch(full);
    },
  };
}

/**
 * At a destructive job's end: the audit entry for the copies it kept, or, when it copied nothing,
 * no empty deletion left in the bin. Called once per finished job (not on pause).
 */
export async function finishCopies(deps: JobDeps, job: Job): Promise<void> {
  if (job.dryRun) return;
  const deletion = await deps.recycle.deletion(job.id);
  if (!deletion) return;
  if (deletion.keys === 0) {
    await deps.recycle.remove(job.id);
    return;
  }
  await deps.audit({
    username: job.createdBy,
    action: "recycle.copy",
    target: `connection ${job.connectionId} / namespace ${job.namespaceId}`,
    count: deletion.keys,
    details: { deletion: job.id, bytes: deletion.bytes, operation: deletion.operation, job: job.id },
  });
}
