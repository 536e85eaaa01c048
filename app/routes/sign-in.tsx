// The one page anyone may open: username and password in, a session cookie out. Attempts are
// throttled per username and client address with backoff, per username from anywhere and per
// address (app/auth/throttle.server.ts); failures are audited.
import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { record } from "~/audit/audit.server";
import { requireAuthServices } from "~/auth/guards.server";
import { MAX_PASSWORD_LENGTH, needsRehash, verifyAgainstNothing, verifyPassword } from "~/auth/password.server";
import { safeRedirect } from "~/auth/redirect";
import { CLIENT_BACKOFF_CAP_MS, describeWait, type ThrottleVerdict } from "~/auth/throttle.server";
import { findUserByUsername, setPassword } from "~/auth/users.server";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { Label } from "~/components/ui/label";
import { getServices } from "~/context.server";
import { readForm } from "~/utils/form-data.server";

const signInSchema = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  redirectTo: z.string().optional(),
});

const WRONG_CREDENTIALS = "Wrong username or password.";

function lockMessage(verdict: Extract<ThrottleVerdict, { locked: true }>): string {
  const wait = describeWait(verdict.retryAfterSeconds);
  switch (verdict.by) {
    case "client":
      return `Too many failed sign-ins for this username. Sign-in is locked; try again in ${wait}. After that, each wrong password from this address doubles the wait (up to ${describeWait(CLIENT_BACKOFF_CAP_MS / 1000)}).`;
    case "username":
      return `Too many failed sign-ins for this username from many addresses. Sign-in is locked for everyone; try again in ${wait}.`;
    case "ip":
      return `Too many failed sign-ins from your network address. Sign-in is locked; try again in ${wait}.`;
  }
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (context.user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = requireAuthServices(context);
  const { db } = getServices(context).database;
  const parsed = signInSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ error: "Enter your username and password." }, { status: 400 });
  const { username, password, redirectTo } = parsed.data;
  const ip = auth.clientIp;

  // Admitted attempts are already counted as failures: parallel ones cannot all slip past the limit.
  const verdict = await auth.throttle.admit(username, ip);
  if (verdict.locked) {
    await record(db, { action: "auth.sign_in_failed", username, outcome: "failed", details: { ip, reason: `locked (${verdict.by})` } });
    return data({ error: lockMessage(verdict) }, { status: 429, headers: { "Retry-After": String(verdict.retryAfterSeconds) } });
  }

  const user = await findUserByUsername(db, username);
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstNothing(password);
  if (!user || !ok) {
    await record(db, {
      action: "auth.sign_in_failed",
      username,
      outcome: "failed",
      details: { ip, reason: user ? "wrong password" : "no such user" },
    });
    return data({ error: WRONG_CREDENTIALS }, { status: 401 });
  }

  await auth.throttle.forgive(username, ip);
  if (needsRehash(user.passwordHash)) await setPassword(db, user.id, password);
  // A fresh session id at every sign-in: a session planted before it is worth nothing after.
  if (auth.sessionId) await auth.sessions.destroy(auth.sessionId);
  await auth.sessions.sweepExpired();
  const session = await auth.sessions.create(user.id, { ip, userAgent: request.headers.get("user-agent") }, auth.secure);
  await record(db, { action: "auth.sign_in", userId: user.id, username: user.username, outcome: "ok", details: { ip } });
  throw redirect(safeRedirect(redirectTo), { headers: { "Set-Cookie": session.setCookie } });
}

export default function SignIn() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod === "POST";
  return (
    <div className="mx-auto mt-16 w-full max-w-sm px-4">
      <h1 className="mb-1 text-xl font-semibold">Sign in to kvdeck</h1>
      <p className="mb-6 text-sm text-muted-foreground">Ask an admin for an account if you have none.</p>
      <Form method="post" className="space-y-4">
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? "/"} />
        <div className="space-y-1">
          <Label htmlFor="sign-in-username">Username</Label>
          <Input id="sign-in-username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required />
        </div>
        <div className="space-y-1">
          <Label htmlFor="sign-in-password">Password</Label>
          <Input id="sign-in-password" name="password" type="password" autoComplete="current-password" required />
        </div>
        {actionData?.error ? (
          <p role="alert" className="rounded-md bg-destructive/10 px-3 py-2 text-sm text-destructive">
            {actionData.error}
          </p>
        ) : null}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
      </Form>
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Sign in · kvdeck" }];

/** A page answer passes on only Set-Cookie by itself: this hands the lock's Retry-After on too. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};
