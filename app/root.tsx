import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";
import { ROLE_LABELS } from "./auth/roles";
import { useUser } from "./auth/use-user";
import { JobTray } from "./components/job-tray";
import { Toaster } from "./components/toaster";
import { Button } from "./components/ui/button";
import { useNonce } from "./utils/nonce-provider";
import stylesheet from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/** The signed-in user, for the header and for useUser()/useCan() anywhere below. */
export async function loader({ context }: LoaderFunctionArgs) {
  return { user: context.user ?? null };
}

export function Layout({ children }: { children: ReactNode }) {
  const user = useUser();
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
      </head>
      <body className="antialiased">
        <div className="flex h-dvh flex-col">
          <header className="flex h-12 shrink-0 items-center gap-3 border-b px-3 sm:gap-4 sm:px-4">
            <Link to="/" className="flex items-center gap-2 font-semibold tracking-tight">
              <img src="/favicon.svg" alt="" className="h-5 w-5" />
              kvdeck
            </Link>
            {user ? (
              <nav aria-label="Main" className="flex items-center gap-2 text-sm text-muted-foreground sm:gap-3">
                <Link to="/" className="hover:text-foreground">
                  Accounts
                </Link>
                <JobTray />
                {user.role === "admin" ? (
                  <Link to="/admin/users" className="hover:text-foreground">
                    Admin
                  </Link>
                ) : null}
              </nav>
            ) : null}
            {user ? (
              <Form method="post" action="/sign-out" className="ml-auto flex items-center gap-3 text-sm">
                <span aria-label="Signed in as" className="hidden sm:inline">
                  <span className="font-medium">{user.username}</span>{" "}
                  <span className="text-muted-foreground">· {ROLE_LABELS[user.role]}</span>
                </span>
                <Button type="submit" variant="ghost" size="sm">
                  Sign out
                </Button>
              </Form>
            ) : null}
          </header>
          <main className="flex min-h-0 flex-1 flex-col overflow-auto">{children}</main>
        </div>
        <Toaster />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText || "Error"}` : "Something went wrong";
  const detail = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : (error.data?.message ?? "")
    : error instanceof Error
      ? error.message
      : "";
  return (
    <div role="alert" className="mx-auto mt-16 max-w-lg space-y-2 px-4 text-center">
      <h1 className="text-xl font-semibold">{title}</h1>
      {detail ? <p className="text-muted-foreground">{detail}</p> : null}
      <p>
        <Link to="/" className="text-primary underline">
          Back to accounts
        </Link>
      </p>
    </div>
  );
}
