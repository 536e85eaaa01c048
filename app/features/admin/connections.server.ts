// The connections page's changes: add an upstream account (a Cloudflare API token is sealed
// before it is stored, never sent back, logged or audited) and delete one. Connections from the
// environment are changed there, not here.
import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { getServices } from "~/context.server";
import type { Connection } from "~/db/schema";
import { recycleSettingsForm, settingsOfForm } from "~/recycle/settings";
import { rowIdField } from "~/utils/form-data.server";
import { answer } from "./action-result";

const name = z.string().trim().min(1, "Give the connection a name.").max(100, "Use at most 100 characters.");
const accountId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{32}$/, "An account id is 32 hex digits (Cloudflare dashboard → Account home → Account ID).");
const baseUrl = z
  .string()
  .trim()
  .url("Enter a full URL, e.g. https://api.cloudflare.com/client/v4.")
  .refine((u) => /^https?:\/\//i.test(u), "Use an http or https URL.")
  .transform((u) => u.replace(/\/+$/, ""))
  .optional()
  .or(z.literal("").transform(() => undefined));
const token = z
  .string()
  .trim()
  .min(1, "Paste the API token.")
  .max(4096, "That is longer than any API token.")
  .regex(/^\S+$/, "An API token has no spaces.");

const createSchema = z.discriminatedUnion("kind", [
  z.object({ intent: z.literal("create"), kind: z.literal("cloudflare"), name, accountId, token, baseUrl }),
  z.object({ intent: z.literal("create"), kind: z.literal("local"), name, accountId }),
]);
const deleteSchema = z.object({ intent: z.literal("delete"), id: rowIdField("connection") });
const recycleSchema = recycleSettingsForm.extend({ intent: z.literal("recycle"), id: rowIdField("connection") });

/** What the page shows of a connection: never the token or its ciphertext. */
function describeConnection(c: Connection) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    accountId: c.accountId,
    baseUrl: c.baseUrl,
    source: c.source,
    hasToken: c.tokenCiphertext !== null,
    createdAt: c.createdAt.getTime(),
  };
}

export type ConnectionRowData = ReturnType<typeof describeConnection>;

export async function listConnectionsForPage(context: AppLoadContext) {
  const { connections, recycle } = getServices(context);
  const list = await connections.list();
  const bins = await Promise.all(
    list.map(async (c) => ({ id: c.id, name: c.name, settings: await recycle.settings(c.id), heldBytes: await recycle.heldBytes(c.id) })),
  );
  return { connections: list.map(describeConnection), servesLocalKv: connections.servesLocalKv, bins };
}

export type RecycleBinRowData = Awaited<ReturnType<typeof listConnectionsForPage>>["bins"][number];

export async function changeConnection(context: AppLoadContext, fields: FormData) {
  const { connections } = getServices(context);
  const form = Object.fromEntries(fields);
  if (form.intent === "recycle") return changeRecycleSettings(context, form);
  const parsed = (form.intent === "delete" ? deleteSchema : createSchema).safeParse(form);
  if (!parsed.success) return answer({ ok: false, error: parsed.error.issues[0].message }, 400);
  const input = parsed.data;

  if (input.intent === "create") {
    if (input.kind === "local" && !connections.servesLocalKv) {
      return answer({ ok: false, error: "This kvdeck serves no local KV API (a Cloudflare account is configured)." }, 400);
    }
    const created = await connections.create(input);
    await recordAudit(context, {
      action: "connection.create",
      target: `connection ${created.id} (${created.name})`,
      details: { kind: created.kind, accountId: created.accountId, baseUrl: created.baseUrl },
    });
    return answer({ ok: true, message: `Added ${created.name}.` });
  }

  const existing = await connections.get(input.id);
  if (!existing) return answer({ ok: false, error: "There is no such connection (any more)." }, 404);
  if (existing.source === "env") {
    return answer(
      { ok: false, error: "This connection comes from the environment (CLOUDFLARE_* variables); change those and restart instead." },
      409,
    );
  }
  await connections.remove(existing.id);
  await recordAudit(context, {
    action: "connection.delete",
    target: `connection ${existing.id} (${existing.name})`,
    details: { kind: existing.kind, accountId: existing.accountId },
  });
  return answer({ ok: true, message: `Deleted ${existing.name}.` });
}

/** A connection's recycle bin settings: whether deletes keep a copy by default, the retention, the size cap. */
async function changeRecycleSettings(context: AppLoadContext, form: Record<string, FormDataEntryValue>) {
  const { connections, recycle } = getServices(context);
  const parsed = recycleSchema.safeParse(form);
  if (!parsed.success) return answer({ ok: false, error: parsed.error.issues[0].message }, 400);
  const connection = await connections.get(parsed.data.id);
  if (!connection) return answer({ ok: false, error: "There is no such connection (any more)." }, 404);
  const settings = settingsOfForm(parsed.data);
  await recycle.saveSettings(connection.id, settings);
  await recordAudit(context, {
    action: "recycle.settings",
    target: `connection ${connection.id} (${connection.name})`,
    details: { ...settings },
  });
  return answer({ ok: true, message: `Saved the recycle bin settings of ${connection.name}.` });
}
