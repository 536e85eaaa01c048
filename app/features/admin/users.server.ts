// The users page's changes: create, change role, reset password, delete. Nobody deletes or
// demotes themselves here, and the last admin stays an admin (app/auth/users.server.ts). Every
// change and every refusal of a rule is audited.
import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { requireAuthServices } from "~/auth/guards.server";
import { ROLE_LABELS, type SessionUser } from "~/auth/roles";
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  passwordSchema,
  roleSchema,
  setPassword,
  setRole,
  usernameSchema,
  UserRuleError,
} from "~/auth/users.server";
import { getServices } from "~/context.server";
import { rowIdField } from "~/utils/form-data.server";
import { answer } from "./action-result";

const userId = rowIdField("user");

const userChange = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), username: usernameSchema, role: roleSchema, password: passwordSchema }),
  z.object({ intent: z.literal("role"), id: userId, role: roleSchema }),
  z.object({ intent: z.literal("password"), id: userId, password: passwordSchema }),
  z.object({ intent: z.literal("delete"), id: userId }),
]);

/** The users, as the page shows them. */
export async function listUsersForPage(context: AppLoadContext) {
  const users = await listUsers(getServices(context).database.db);
  return users.map((u) => ({ ...u, createdAt: u.createdAt.getTime() }));
}

export async function changeUser(context: AppLoadContext, me: SessionUser, form: FormData) {
  const { db } = getServices(context).database;
  const parsed = userChange.safeParse(Object.fromEntries(form));
  if (!parsed.success) return answer({ ok: false, error: parsed.error.issues[0].message }, 400);
  const input = parsed.data;
  const fail = async (status: number, error: string, target: string, action: string) => {
    await recordAudit(context, { action, target, outcome: "failed", details: { reason: error } });
    return answer({ ok: false, error }, status);
  };

  if (input.intent === "create") {
    const created = await createUser(db, input);
    if (!created) return fail(409, `The username “${input.username}” is taken.`, `user ${input.username}`, "user.create");
    await recordAudit(context, { action: "user.create", target: `user ${created.username}`, details: { role: created.role } });
    return answer({ ok: true, message: `Created ${created.username} (${ROLE_LABELS[created.role].toLowerCase()}).` });
  }

  const target = await getUser(db, input.id);
  if (!target) return answer({ ok: false, error: "There is no such user (any more)." }, 404);
  const targetName = `user ${target.username}`;

  if (input.intent === "role") {
    if (target.id === me.id) return fail(400, "You cannot change your own role. Ask another admin.", targetName, "user.role_change");
    try {
      await setRole(db, target.id, input.role);
    } catch (error) {
      if (error instanceof UserRuleError) return fail(409, error.message, targetName, "user.role_change");
      throw error;
    }
    await recordAudit(context, { action: "user.role_change", target: targetName, details: { from: target.role, to: input.role } });
    return answer({ ok: true, message: `${target.username} is now ${ROLE_LABELS[input.role].toLowerCase()}.` });
  }

  if (input.intent === "password") {
    await setPassword(db, target.id, input.password);
    // Whoever knew the old password is signed out everywhere (the admin keeps their own session).
    const ended = await requireAuthServices(context).sessions.destroyForUser(
      target.id,
      target.id === me.id ? (context.auth?.sessionId ?? undefined) : undefined,
    );
    await recordAudit(context, { action: "user.password_reset", target: targetName, details: { sessionsEnded: ended } });
    return answer({
      ok: true,
      message: `Set a new password for ${target.username}${ended ? `; ended ${ended} session${ended === 1 ? "" : "s"}` : ""}.`,
    });
  }

  if (target.id === me.id) return fail(400, "You cannot delete yourself. Ask another admin.", targetName, "user.delete");
  try {
    await deleteUser(db, target.id);
  } catch (error) {
    if (error instanceof UserRuleError) return fail(409, error.message, targetName, "user.delete");
    throw error;
  }
  await recordAudit(context, { action: "user.delete", target: targetName, details: { role: target.role } });
  return answer({ ok: true, message: `Deleted ${target.username}.` });
}
