// Users: list, create, change role, reset password, delete. Admins only. Nobody deletes or
// demotes themselves here, and the last admin stays an admin (app/auth/users.server.ts).
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { requireAuthServices, requireRole } from "~/auth/guards.server";
import { ROLE_LABELS, ROLES, type Role } from "~/auth/roles";
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
import { RouteError } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { getServices } from "~/context.server";
import { formatAbsolute } from "~/utils/format";
import { readForm, rowIdField } from "~/utils/form-data.server";

const userId = rowIdField("user");

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), username: usernameSchema, role: roleSchema, password: passwordSchema }),
  z.object({ intent: z.literal("role"), id: userId, role: roleSchema }),
  z.object({ intent: z.literal("password"), id: userId, password: passwordSchema }),
  z.object({ intent: z.literal("delete"), id: userId }),
]);

type ActionResult = { ok: true; message: string } | { ok: false; error: string };

export async function loader({ context }: LoaderFunctionArgs) {
  const me = await requireRole(context, "admin");
  const users = await listUsers(getServices(context).database.db);
  return { users: users.map((u) => ({ ...u, createdAt: u.createdAt.getTime() })), myId: me.id };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const me = await requireRole(context, "admin");
  const { db } = getServices(context).database;
  const parsed = actionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data<ActionResult>({ ok: false, error: parsed.error.issues[0].message }, { status: 400 });
  const input = parsed.data;
  const fail = async (status: number, error: string, target: string, action: string) => {
    await recordAudit(context, { action, target, outcome: "failed", details: { reason: error } });
    return data<ActionResult>({ ok: false, error }, { status });
  };

  if (input.intent === "create") {
    const created = await createUser(db, input);
    if (!created) return fail(409, `The username “${input.username}” is taken.`, `user ${input.username}`, "user.create");
    await recordAudit(context, { action: "user.create", target: `user ${created.username}`, details: { role: created.role } });
    return data<ActionResult>({ ok: true, message: `Created ${created.username} (${ROLE_LABELS[created.role].toLowerCase()}).` });
  }

  const target = await getUser(db, input.id);
  if (!target) return data<ActionResult>({ ok: false, error: "There is no such user (any more)." }, { status: 404 });
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
    return data<ActionResult>({ ok: true, message: `${target.username} is now ${ROLE_LABELS[input.role].toLowerCase()}.` });
  }

  if (input.intent === "password") {
    await setPassword(db, target.id, input.password);
    // Whoever knew the old password is signed out everywhere (the admin keeps their own session).
    const ended = await requireAuthServices(context).sessions.destroyForUser(
      target.id,
      target.id === me.id ? (context.auth?.sessionId ?? undefined) : undefined,
    );
    await recordAudit(context, { action: "user.password_reset", target: targetName, details: { sessionsEnded: ended } });
    return data<ActionResult>({
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
  return data<ActionResult>({ ok: true, message: `Deleted ${target.username}.` });
}

export default function Users() {
  const { users, myId } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <section aria-labelledby="users-heading">
        <h1 id="users-heading" className="mb-3 text-xl font-semibold">
          Users
        </h1>
        <div className="relative overflow-x-auto rounded-lg border">
          <table className="w-full text-sm">
            <caption className="sr-only">Users of kvdeck</caption>
            <thead className="bg-muted/60 text-left">
              <tr>
                <th className="px-3 py-2 font-medium">Username</th>
                <th className="px-3 py-2 font-medium">Role</th>
                <th className="px-3 py-2 font-medium">Password</th>
                <th className="px-3 py-2 font-medium">Created</th>
                <th className="px-3 py-2 font-medium">
                  <span className="sr-only">Delete</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {users.map((user) => (
                <UserRow key={user.id} user={user} isMe={user.id === myId} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <CreateUser />
    </div>
  );
}

function UserRow({ user, isMe }: { user: { id: number; username: string; role: Role; createdAt: number }; isMe: boolean }) {
  const roleFetcher = useFetcher<ActionResult>();
  const passwordFetcher = useFetcher<ActionResult>();
  const deleteFetcher = useFetcher<ActionResult>();
  const [confirming, setConfirming] = useState(false);
  const passwordForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (passwordFetcher.state === "idle" && passwordFetcher.data?.ok) passwordForm.current?.reset();
  }, [passwordFetcher.state, passwordFetcher.data]);
  const result = deleteFetcher.data ?? roleFetcher.data ?? passwordFetcher.data;

  return (
    <tr aria-label={user.username}>
      <td className="px-3 py-2 align-top">
        <span className="font-medium">{user.username}</span> {isMe ? <Badge variant="secondary">you</Badge> : null}
        {result ? (
          <p role={result.ok ? "status" : "alert"} className={result.ok ? "text-xs text-success" : "text-xs text-destructive"}>
            {result.ok ? result.message : result.error}
          </p>
        ) : null}
      </td>
      <td className="px-3 py-2 align-top">
        <roleFetcher.Form method="post" className="flex items-center gap-2">
          <input type="hidden" name="intent" value="role" />
          <input type="hidden" name="id" value={user.id} />
          <select
            name="role"
            defaultValue={user.role}
            key={user.role}
            disabled={isMe}
            aria-label={`Role of ${user.username}`}
            className="h-8 rounded-md border border-input bg-background px-2 text-sm"
          >
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
          {isMe ? null : (
            <Button type="submit" size="sm" variant="outline" disabled={roleFetcher.state !== "idle"}>
              Change role
            </Button>
          )}
        </roleFetcher.Form>
      </td>
      <td className="px-3 py-2 align-top">
        <passwordFetcher.Form method="post" ref={passwordForm} className="flex items-center gap-2">
          <input type="hidden" name="intent" value="password" />
          <input type="hidden" name="id" value={user.id} />
          <Input
            name="password"
            type="password"
            autoComplete="new-password"
            placeholder="New password"
            aria-label={`New password for ${user.username}`}
            minLength={8}
            required
            className="h-8 w-40"
          />
          <Button type="submit" size="sm" variant="outline" disabled={passwordFetcher.state !== "idle"}>
            Reset password
          </Button>
        </passwordFetcher.Form>
      </td>
      <td className="px-3 py-2 align-top text-muted-foreground">{formatAbsolute(Math.floor(user.createdAt / 1000))}</td>
      <td className="px-3 py-2 text-right align-top">
        {isMe ? null : confirming ? (
          <deleteFetcher.Form method="post" className="flex justify-end gap-2">
            <input type="hidden" name="intent" value="delete" />
            <input type="hidden" name="id" value={user.id} />
            <Button type="submit" size="sm" variant="destructive" disabled={deleteFetcher.state !== "idle"}>
              Delete {user.username}
            </Button>
            <Button type="button" size="sm" variant="ghost" onClick={() => setConfirming(false)}>
              Keep
            </Button>
          </deleteFetcher.Form>
        ) : (
          <Button type="button" size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Delete ${user.username}…`}>
            Delete…
          </Button>
        )}
      </td>
    </tr>
  );
}

function CreateUser() {
  const fetcher = useFetcher<ActionResult>();
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) form.current?.reset();
  }, [fetcher.state, fetcher.data]);
  return (
    <section aria-labelledby="create-user-heading" className="max-w-xl">
      <h2 id="create-user-heading" className="mb-3 text-lg font-semibold">
        Add a user
      </h2>
      <fetcher.Form method="post" ref={form} className="grid gap-3 sm:grid-cols-[1fr_auto]">
        <input type="hidden" name="intent" value="create" />
        <label className="space-y-1 text-sm">
          <span className="font-medium">Username</span>
          <Input name="username" autoComplete="off" autoCapitalize="none" spellCheck={false} required maxLength={64} />
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Role</span>
          <select name="role" defaultValue="viewer" className="flex h-9 w-full rounded-md border border-input bg-background px-2 text-sm">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm sm:col-span-2">
          <span className="font-medium">Initial password</span>
          <Input name="password" type="password" autoComplete="new-password" minLength={8} required />
          <span className="text-xs text-muted-foreground">At least 8 characters. Tell the person; kvdeck sends no mail.</span>
        </label>
        {fetcher.data ? (
          <p
            role={fetcher.data.ok ? "status" : "alert"}
            className={`sm:col-span-2 text-sm ${fetcher.data.ok ? "text-success" : "text-destructive"}`}
          >
            {fetcher.data.ok ? fetcher.data.message : fetcher.data.error}
          </p>
        ) : null}
        <div className="sm:col-span-2">
          <Button type="submit" disabled={fetcher.state !== "idle"}>
            Add user
          </Button>
        </div>
      </fetcher.Form>
    </section>
  );
}

export const meta: MetaFunction = () => [{ title: "Users · kvdeck" }];

export function ErrorBoundary() {
  return <RouteError />;
}
