// The namespace page's key changes: delete keys (keeping a copy unless skipped), undo a delete,
// create or edit one, dismiss a failure. Each form
// is checked with its schema, then done by the key use cases (app/features/keys), which write the
// audit log.
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { getServices } from "~/context.server";
import type { AuditInput } from "~/audit/audit.server";
import { DeleteRefused, deleteKeys, dismissFailure, writeKey, type KeyTarget } from "~/features/keys/mutations.server";
import { RestoreRefused, undoDeletion } from "~/features/recycle/restore.server";
import { requireConnection } from "~/kv/guards.server";
import { deleteKeysSchema, dismissSchema, fieldErrors, putKeySchema, undoSchema } from "~/kv/key-forms";
import { readForm } from "~/utils/form-data.server";

export async function changeKeys({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(context, "editor");
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const services = getServices(context);
  const { cache, env, recycle } = services;
  const namespaceId = params.namespaceId!;
  const audit = {
    record: (event: AuditInput) => recordAudit(context, event),
    where: `connection ${connection.id} / namespace ${namespaceId}`,
  };
  const target: KeyTarget = {
    cache,
    upstream,
    namespaceId,
    ttlMs: env.KVDECK_OVERLAY_TTL_MS,
    audit,
    recycle: { store: recycle, connectionId: connection.id, createdBy: user.username },
  };
  const form = await readForm(request);
  const intent = form.get("intent");

  if (intent === "delete") {
    const parsed = deleteKeysSchema.safeParse({ intent, names: form.getAll("name"), recycle: form.get("recycle") ?? undefined });
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    const keepCopy = parsed.data.recycle ? parsed.data.recycle === "keep" : (await recycle.settings(connection.id)).copyByDefault;
    try {
      return data({ intent, ok: true as const, summary: await deleteKeys(target, parsed.data.names, { keepCopy }) });
    } catch (error) {
      if (error instanceof DeleteRefused) return data({ intent, ok: false as const, error: error.message }, { status: 409 });
      throw error;
    }
  }
  if (intent === "undo") {
    const parsed = undoSchema.safeParse({ intent, deletion: form.get("deletion"), names: form.getAll("name") });
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    const restoreTarget = {
      cache,
      upstream,
      store: recycle,
      connectionId: connection.id,
      namespaceId,
      audit,
      ttlMs: env.KVDECK_OVERLAY_TTL_MS ?? cache.defaultTtlMs,
    };
    try {
      return data({ intent, ok: true as const, ...(await undoDeletion(restoreTarget, services, user, parsed.data.deletion)) });
    } catch (error) {
      if (error instanceof RestoreRefused) return data({ intent, ok: false as const, error: error.message }, { status: 409 });
      throw error;
    }
  }
  if (intent === "put") {
    const parsed = putKeySchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      return data({ intent, ok: false as const, error: Object.values(fields)[0], fields }, { status: 400 });
    }
    const result = await writeKey(target, parsed.data);
    return data({ intent, ...result }, { status: result.ok ? 200 : 400 });
  }
  if (intent === "dismiss") {
    const parsed = dismissSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    await dismissFailure(target, parsed.data.opId, parsed.data.name);
    return data({ intent, ok: true as const, name: parsed.data.name });
  }
  return data({ intent, ok: false as const, error: "Unknown action." }, { status: 400 });
}
