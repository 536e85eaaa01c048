// The recycle bin page's changes: restore a deletion (all it holds or chosen keys; inline up to
// one request's worth, else a restore job), empty one deletion or the whole bin. Editors restore;
// only admins empty, since emptying makes the deletes final. Each change is audited.
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { getServices } from "~/context.server";
import { JobInputError } from "~/jobs/kinds/kind.server";
import { startJob } from "~/jobs/api.server";
import { restoreExpired } from "~/jobs/payloads";
import { requireConnection } from "~/kv/guards.server";
import { storedKeyName } from "~/kv/key-forms";
import { readForm } from "~/utils/form-data.server";
import { MAX_INLINE_RESTORE, RestoreRefused, restoreInline, type RestoreSummary } from "./restore.server";

const restoreForm = z.object({
  intent: z.literal("restore"),
  deletion: z.string().min(1).max(64),
  /** Chosen keys; none: every key the deletion holds. */
  names: z.array(storedKeyName).max(10_000),
  overwrite: z.literal("on").optional(),
  expired: restoreExpired.default("skip"),
});
const emptyForm = z.object({ intent: z.literal("empty"), deletion: z.string().min(1).max(64) });

export type BinAnswer =
  | { intent: "restore"; ok: true; summary: RestoreSummary }
  | { intent: "restore"; ok: true; job: { id: string } }
  | { intent: "empty" | "empty-all"; ok: true; message: string }
  | { intent: string; ok: false; error: string };

export async function changeBin({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const user = await requireRole(context, intent === "restore" ? "editor" : "admin");
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const services = getServices(context);
  const { recycle, cache, env } = services;
  const namespaceId = params.namespaceId!;
  const where = `connection ${connection.id} / namespace ${namespaceId}`;
  const refuse = (error: string, status = 400) => data<BinAnswer>({ intent, ok: false, error }, { status });

  if (intent === "restore") {
    const parsed = restoreForm.safeParse({ ...Object.fromEntries(form), names: form.getAll("name") });
    if (!parsed.success) return refuse(parsed.error.issues[0].message);
    const { deletion: deletionId, names, expired } = parsed.data;
    const overwrite = parsed.data.overwrite === "on";
    const deletion = await recycle.deletion(deletionId);
    if (!deletion || deletion.connectionId !== connection.id || deletion.namespaceId !== namespaceId)
      return refuse("This deletion is no longer in the recycle bin: it was emptied or its retention ended.", 404);
    const count = names.length || deletion.keys - deletion.restoredKeys;
    try {
      if (count <= MAX_INLINE_RESTORE) {
        const target = {
          cache,
          upstream,
          store: recycle,
          connectionId: connection.id,
          namespaceId,
          ttlMs: env.KVDECK_OVERLAY_TTL_MS ?? cache.defaultTtlMs,
          audit: { record: (event: Parameters<typeof recordAudit>[1]) => recordAudit(context, event), where },
        };
        const summary = await restoreInline(target, deletionId, names.length ? names : null, { overwrite, expired });
        return data<BinAnswer>({ intent, ok: true, summary });
      }
      const job = await startJob({
        services,
        user,
        connectionId: connection.id,
        namespaceId,
        kind: "restore",
        payload: { deletion: deletionId, ...(names.length ? { keys: names } : {}), overwrite, expired },
      });
      await recordAudit(context, {
        action: "job.start",
        target: `${where} / job ${job.id}`,
        count,
        details: { kind: "restore", deletion: deletionId },
      });
      return data<BinAnswer>({ intent, ok: true, job: { id: job.id } });
    } catch (error) {
      if (error instanceof RestoreRefused || error instanceof JobInputError) return refuse(error.message, 409);
      throw error;
    }
  }
  if (intent === "empty") {
    const parsed = emptyForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) return refuse(parsed.error.issues[0].message);
    const deletion = await recycle.deletion(parsed.data.deletion);
    if (!deletion || deletion.connectionId !== connection.id || deletion.namespaceId !== namespaceId)
      return refuse("This deletion is no longer in the recycle bin.", 404);
    const gone = await recycle.remove(deletion.id);
    await recordAudit(context, {
      action: "recycle.empty",
      target: `${where} / deletion ${deletion.id}`,
      count: gone?.keys ?? 0,
      details: { deletion: deletion.id, description: deletion.description, bytes: gone?.bytes ?? 0 },
    });
    return data<BinAnswer>({ intent, ok: true, message: `Emptied: the copies of ${deletion.description} are gone for good.` });
  }
  if (intent === "empty-all") {
    const gone = await recycle.emptyNamespace(connection.id, namespaceId);
    await recordAudit(context, { action: "recycle.empty", target: where, count: gone.keys, details: { deletions: gone.deletions } });
    return data<BinAnswer>({
      intent,
      ok: true,
      message: `Emptied the recycle bin: ${gone.deletions} ${gone.deletions === 1 ? "deletion" : "deletions"} gone for good.`,
    });
  }
  return refuse("Unknown action.");
}
