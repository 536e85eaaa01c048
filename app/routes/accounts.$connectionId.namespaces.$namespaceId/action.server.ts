// The namespace page's key changes: delete keys, create or edit one, dismiss a failure. Each form
// is checked with its schema, then done by the key use cases (app/features/keys), which write the
// audit log.
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { getServices } from "~/context.server";
import { deleteKeys, dismissFailure, writeKey, type KeyTarget } from "~/features/keys/mutations.server";
import { requireConnection } from "~/kv/guards.server";
import { deleteKeysSchema, dismissSchema, fieldErrors, putKeySchema } from "~/kv/key-forms";
import { readForm } from "~/utils/form-data.server";

export async function changeKeys({ request, params, context }: ActionFunctionArgs) {
  await requireRole(context, "editor");
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const { cache, env } = getServices(context);
  const namespaceId = params.namespaceId!;
  const target: KeyTarget = {
    cache,
    upstream,
    namespaceId,
    ttlMs: env.KVDECK_OVERLAY_TTL_MS,
    audit: { record: (event) => recordAudit(context, event), where: `connection ${connection.id} / namespace ${namespaceId}` },
  };
  const form = await readForm(request);
  const intent = form.get("intent");

  if (intent === "delete") {
    const parsed = deleteKeysSchema.safeParse({ intent, names: form.getAll("name") });
    if (!parsed.success) return data({ intent, ok: false as const, error: parsed.error.issues[0].message }, { status: 400 });
    return data({ intent, ok: true as const, summary: await deleteKeys(target, parsed.data.names) });
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
