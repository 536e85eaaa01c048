// The namespaces list's action: create, rename or delete a namespace (each with its optimistic
// mark, see mutations.server.ts), audited; answers the form with the result.
import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { requireRole } from "~/auth/guards.server";
import { getServices } from "~/context.server";
import { fromUpstream, requireConnection } from "~/kv/guards.server";
import { createNamespaceSchema, deleteNamespaceSchema, renameNamespaceSchema } from "~/kv/namespace-forms";
import { readForm } from "~/utils/form-data.server";
import { createNamespace, deleteNamespace, renameNamespace } from "./mutations.server";

export async function namespaceListAction({ request, params, context }: ActionFunctionArgs) {
  await requireRole(context, "admin");
  const { connection, upstream } = await requireConnection(context, params.connectionId);
  const { cache, env } = getServices(context);
  const target = { cache, upstream, ttlMs: env.KVDECK_OVERLAY_TTL_MS };
  const form = Object.fromEntries(await readForm(request));
  const invalid = (message: string) => data({ ok: false as const, error: message }, { status: 400 });

  switch (form.intent) {
    case "create": {
      const parsed = createNamespaceSchema.safeParse(form);
      if (!parsed.success) return invalid(parsed.error.issues[0].message);
      const result = await createNamespace(target, parsed.data.title);
      await recordAudit(context, {
        action: "namespace.create",
        target: `connection ${connection.id} / namespace ${result.ok ? result.namespace.id : parsed.data.title}`,
        outcome: result.ok ? "ok" : "failed",
        details: { title: parsed.data.title, ...(result.ok ? {} : { error: result.error }) },
      });
      return data(result, { status: result.ok ? 200 : 400 });
    }
    case "rename": {
      const parsed = renameNamespaceSchema.safeParse(form);
      if (!parsed.success) return invalid(parsed.error.issues[0].message);
      const result = await renameNamespace(target, parsed.data.id, parsed.data.title);
      await recordAudit(context, {
        action: "namespace.rename",
        target: `connection ${connection.id} / namespace ${parsed.data.id}`,
        outcome: result.ok ? "ok" : "failed",
        details: { title: parsed.data.title, ...(result.ok ? {} : { error: result.error }) },
      });
      return data(result, { status: result.ok ? 200 : 400 });
    }
    case "delete": {
      const parsed = deleteNamespaceSchema.safeParse(form);
      if (!parsed.success) return invalid(parsed.error.issues[0].message);
      const namespace = await fromUpstream(() => upstream.getNamespace(parsed.data.id));
      // The server checks the typed title too: a forged request cannot skip the confirmation.
      if (parsed.data.confirmTitle !== namespace.title) return invalid("The typed title does not match the namespace's title.");
      const result = await deleteNamespace(target, namespace);
      await recordAudit(context, {
        action: "namespace.delete",
        target: `connection ${connection.id} / namespace ${namespace.id}`,
        outcome: result.ok ? "ok" : "failed",
        details: { title: namespace.title, ...(result.ok ? {} : { error: result.error }) },
      });
      if (result.ok && form.redirect === "1") throw redirect(`/accounts/${connection.id}`);
      return data(result, { status: result.ok ? 200 : 400 });
    }
  }
  return invalid("Unknown action.");
}
