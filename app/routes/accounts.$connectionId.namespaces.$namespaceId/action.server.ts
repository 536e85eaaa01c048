// The namespace page's key changes: delete keys, create or edit one, dismiss a failure. Each is
// checked with the form schema, done through the key use cases, and written to the audit log.
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { outcomeOf, recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { keyScope } from "~/cache/scopes";
import { getServices } from "~/context.server";
import { requireConnection } from "~/kv/guards.server";
import { deleteKeysSchema, dismissSchema, fieldErrors, putKeySchema } from "~/kv/key-forms";
import { deleteKeys, writeKey } from "~/kv/key-mutations.server";
import { readForm } from "~/utils/form-data.server";

export async function changeKeys({ request, params, context }: ActionFunctionArgs) {
  await requireRole(context, "editor");
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const { cache, env } = getServices(context);
  const target = { cache, upstream, namespaceId: params.namespaceId!, ttlMs: env.KVDECK_OVERLAY_TTL_MS };
  const form = await readForm(request);
  const intent = form.get("intent");

  const where = `connection ${connection.id} / namespace ${params.namespaceId}`;
  if (intent === "delete") {
    const parsed = deleteKeysSchema.safeParse({ intent, names: form.getAll("name") });
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    const summary = await deleteKeys(target, parsed.data.names);
    await recordAudit(context, {
      action: "key.delete",
      target: parsed.data.names.length === 1 ? `${where} / key ${parsed.data.names[0]}` : where,
      count: summary.requested,
      outcome: outcomeOf(summary.succeeded, summary.failed.length),
      details: { succeeded: summary.succeeded, failed: summary.failed.slice(0, 100), opId: summary.opId },
    });
    return data({ intent, ok: true as const, summary });
  }
  if (intent === "put") {
    const parsed = putKeySchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      return data({ intent, ok: false as const, error: Object.values(fields)[0], fields }, { status: 400 });
    }
    const result = await writeKey(target, parsed.data);
    await recordAudit(context, {
      action: parsed.data.mode === "create" ? "key.create" : "key.update",
      target: `${where} / key ${parsed.data.name}`,
      count: 1,
      outcome: result.ok ? "ok" : "failed",
      details: result.ok ? { expiry: parsed.data.expiry } : { error: result.error },
    });
    return data({ intent, ...result }, { status: result.ok ? 200 : 400 });
  }
  if (intent === "dismiss") {
    const parsed = dismissSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    await cache.revert(parsed.data.opId, [parsed.data.name]);
    return data({ intent, ok: true as const, name: parsed.data.name, scope: keyScope(upstream.accountId, params.namespaceId!) });
  }
  return data({ intent, ok: false as const, error: "Unknown action." }, { status: 400 });
}
