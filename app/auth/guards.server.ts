// Guards for loaders and actions: they return the signed-in user or throw a Response, so the
// main path of a route has no nesting. The auth middleware enforces the same rules for every
// request (server/auth-middleware.ts); these make each route safe on its own as well.
import type { AppLoadContext } from "@remix-run/node";
import type { RequestAuth } from "./request.server";
import { ROLE_LABELS, roleAtLeast, type Role, type SessionUser } from "./roles";

const WHAT_ROLE_ALLOWS: Record<Exclude<Role, "viewer">, string> = {
  editor: "change keys or run jobs",
  admin: "manage namespaces, connections, users and recycle bins",
};

/** The signed-in user, or a thrown 401. */
export async function requireUser(context: AppLoadContext): Promise<SessionUser> {
  const user = context.user;
  if (!user) throw Response.json({ message: "Sign in to continue." }, { status: 401 });
  return user;
}

/** The signed-in user if their role includes `role`, or a thrown 401/403 that says why. */
export async function requireRole(context: AppLoadContext, role: Exclude<Role, "viewer">): Promise<SessionUser> {
  const user = await requireUser(context);
  if (!roleAtLeast(user.role, role)) {
    throw Response.json(
      { message: `Your role (${ROLE_LABELS[user.role].toLowerCase()}) cannot ${WHAT_ROLE_ALLOWS[role]}. Ask an admin.` },
      { status: 403 },
    );
  }
  return user;
}

/** The request's session services; only missing when the server was built without the auth middleware. */
export function requireAuthServices(context: AppLoadContext): RequestAuth {
  if (!context.auth) throw new Error("kvdeck: the server did not provide session services to Remix");
  return context.auth;
}
