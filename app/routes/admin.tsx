// The admin area's frame: a tab per page. Admins only (the middleware refuses others first).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { RouteError } from "~/components/route-error";
import { cn } from "~/utils/cn";

const TABS = [
  { to: "/admin/users", label: "Users" },
  { to: "/admin/connections", label: "Connections" },
  { to: "/admin/audit", label: "Audit log" },
];

export async function loader({ context }: LoaderFunctionArgs) {
  await requireRole(context, "admin");
  return null;
}

export default function Admin() {
  return (
    <div className="mx-auto w-full max-w-5xl px-4 py-6">
      <nav aria-label="Admin" className="mb-6 flex gap-1 border-b">
        {TABS.map((tab) => (
          <NavLink
            key={tab.to}
            to={tab.to}
            className={({ isActive }) =>
              cn(
                "-mb-px border-b-2 px-3 py-2 text-sm",
                isActive ? "border-primary font-medium text-foreground" : "border-transparent text-muted-foreground hover:text-foreground",
              )
            }
          >
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
