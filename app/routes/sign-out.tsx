// Sign-out (POST only): the session row is deleted, so the cookie is worthless even if kept.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { requireAuthServices, requireUser } from "~/auth/guards.server";

/** A link or a prefetch must not sign anyone out. */
export async function loader() {
  throw redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  await requireUser(context);
  const auth = requireAuthServices(context);
  if (auth.sessionId) await auth.sessions.destroy(auth.sessionId);
  await recordAudit(context, { action: "auth.sign_out", outcome: "ok" });
  const headers = new Headers();
  for (const cookie of auth.sessions.clearCookies(auth.secure)) headers.append("Set-Cookie", cookie);
  throw redirect("/sign-in", { headers });
}
