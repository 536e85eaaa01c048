// The signed-in user in components (from root's loader), to hide controls a role may not use.
// Hiding is a courtesy: the server refuses the request either way.
import { useRouteLoaderData } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";
import { roleAtLeast, type Role, type SessionUser } from "./roles";

/** The signed-in user, or null (on the sign-in page, or when root's loader failed). */
export function useUser(): SessionUser | null {
  return useRouteLoaderData<typeof rootLoader>("root")?.user ?? null;
}

/** True when the signed-in user's role includes `role`. */
export function useCan(role: Role): boolean {
  return roleAtLeast(useUser()?.role, role);
}
