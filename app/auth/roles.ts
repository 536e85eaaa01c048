// Roles and the signed-in user as both server and browser see them. Each role includes the
// ones before it: a viewer reads, an editor also changes keys and runs jobs, an admin also
// manages namespaces, connections and users.
export const ROLES = ["viewer", "editor", "admin"] as const;

export type Role = (typeof ROLES)[number];

/** What the server knows about the person behind a request; the browser sees the same three fields. */
export interface SessionUser {
  id: number;
  username: string;
  role: Role;
}

export const ROLE_LABELS: Record<Role, string> = {
  viewer: "Viewer",
  editor: "Editor",
  admin: "Admin",
};

/** True when `role` may do what `needed` may. */
export function roleAtLeast(role: Role | null | undefined, needed: Role): boolean {
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
