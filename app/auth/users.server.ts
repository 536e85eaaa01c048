// kvdeck's users: create, find, change role or password, delete. SQL for `users` lives here.
// The last admin can be neither deleted nor demoted: both checks run in the same transaction as
// the change, with the admin rows locked.
import { asc, count, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "~/db/client.server";
import { users, type User } from "~/db/schema";
import { generatePassword, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password.server";
import { ROLES, type Role, type SessionUser } from "./roles";

export const FIRST_ADMIN_USERNAME = "admin";

export const usernameSchema = z
  .string({ required_error: "Enter a username." })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.");

export const passwordSchema = z
  .string({ required_error: "Enter a password." })
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters.`);

export const roleSchema = z.enum(ROLES, { errorMap: () => ({ message: "Choose viewer, editor or admin." }) });

/** A user as lists show it: never the hash. */
export interface UserSummary extends SessionUser {
  createdAt: Date;
}

const summaryColumns = { id: users.id, username: users.username, role: users.role, createdAt: users.createdAt };

export class UserRuleError extends Error {}

export async function listUsers(db: Db): Promise<UserSummary[]> {
  return db.select(summaryColumns).from(users).orderBy(asc(users.username));
}

export async function findUserByUsername(db: Db, username: string): Promise<User | null> {
  const [row] = await db.select().from(users).where(eq(users.username, username.trim().toLowerCase()));
  return row ?? null;
}

export async function getUser(db: Db, id: number): Promise<UserSummary | null> {
  const [row] = await db.select(summaryColumns).from(users).where(eq(users.id, id));
  return row ?? null;
}

/** Creates a user; null when the username is taken. */
export async function createUser(db: Db, input: { username: string; role: Role; password: string }): Promise<UserSummary | null> {
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({ username: input.username.trim().toLowerCase(), role: input.role, passwordHash })
    .onConflictDoNothing({ target: users.username })
    .returning(summaryColumns);
  return row ?? null;
}

export async function setPassword(db: Db, id: number, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  const rows = await db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, id)).returning({ id: users.id });
  return rows.length > 0;
}

/** Changes a role; refuses (UserRuleError) to leave kvdeck without an admin. */
export async function setRole(db: Db, id: number, role: Role): Promise<UserSummary | null> {
  return db.transaction(async (tx) => {
    const admins = await lockAdmins(tx as unknown as Db);
    if (role !== "admin" && admins.length === 1 && admins[0] === id) {
      throw new UserRuleError("This is the last admin. Make another user an admin first.");
    }
    const [row] = await tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, id)).returning(summaryColumns);
    return row ?? null;
  });
}

/** Deletes a user (their sessions go with them); refuses (UserRuleError) to delete the last admin. */
export async function deleteUser(db: Db, id: number): Promise<UserSummary | null> {
  return db.transaction(async (tx) => {
    const admins = await lockAdmins(tx as unknown as Db);
    if (admins.length === 1 && admins[0] === id) throw new UserRuleError("This is the last admin and cannot be deleted.");
    const [row] = await tx.delete(users).where(eq(users.id, id)).returning(summaryColumns);
    return row ?? null;
  });
}

async function lockAdmins(db: Db): Promise<number[]> {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.role, "admin")).for("update");
  return rows.map((r) => r.id);
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return Number(row?.n ?? 0);
}

/**
 * On a fresh install: creates the admin user from KVDECK_ADMIN_PASSWORD, or with a generated
 * password printed once through `log`. Does nothing once any user exists.
 */
export async function ensureFirstAdmin(db: Db, configuredPassword: string | undefined, log: (line: string) => void): Promise<void> {
  if ((await countUsers(db)) > 0) return;
  const password = configuredPassword ?? generatePassword();
  // Two processes starting at once on one database: only the one whose insert lands says so.
  const created = await createUser(db, { username: FIRST_ADMIN_USERNAME, role: "admin", password });
  if (!created) return;
  if (configuredPassword) {
    log(`kvdeck: created the first user "${FIRST_ADMIN_USERNAME}" (role admin) with the password from KVDECK_ADMIN_PASSWORD`);
  } else {
    log(
      `kvdeck: created the first user "${FIRST_ADMIN_USERNAME}" (role admin). Its generated password, shown only this once: ${password}\n` +
        `kvdeck: sign in and change it under Admin → Users, or set KVDECK_ADMIN_PASSWORD before the first start.`,
    );
  }
}
