import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { verifyPassword } from "./password.server";
import {
  createUser,
  deleteUser,
  ensureFirstAdmin,
  findUserByUsername,
  listUsers,
  setPassword,
  setRole,
  UserRuleError,
} from "./users.server";

describe("users", () => {
  let database: TestDatabase;
  const logged: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it("creates the first admin once, with a generated password printed once", async () => {
    await ensureFirstAdmin(database.db, undefined, (line) => logged.push(line));
    await ensureFirstAdmin(database.db, undefined, (line) => logged.push(line));
    expect(logged).toHaveLength(1);
    const password = /shown only this once: (\S+)/.exec(logged[0])?.[1];
    expect(password).toMatch(/^[\w-]{24}$/);
    const admin = await findUserByUsername(database.db, "admin");
    expect(admin?.role).toBe("admin");
    expect(await verifyPassword(password!, admin!.passwordHash)).toBe(true);
  });

  it("stores usernames lower-case and refuses a taken one", async () => {
    expect(await createUser(database.db, { username: " Dana ", role: "viewer", password: "dana-password" })).toMatchObject({
      username: "dana",
    });
    expect(await createUser(database.db, { username: "DANA", role: "editor", password: "other-password" })).toBeNull();
    expect((await findUserByUsername(database.db, "Dana"))?.role).toBe("viewer");
  });

  it("never demotes or deletes the last admin", async () => {
    const admin = (await findUserByUsername(database.db, "admin"))!;
    await expect(setRole(database.db, admin.id, "editor")).rejects.toBeInstanceOf(UserRuleError);
    await expect(deleteUser(database.db, admin.id)).rejects.toThrow(/last admin/);
    const second = (await createUser(database.db, { username: "erin", role: "admin", password: "erin-password" }))!;
    expect(await setRole(database.db, admin.id, "editor")).toMatchObject({ role: "editor" });
    await expect(deleteUser(database.db, second.id)).rejects.toThrow(/last admin/);
    await setRole(database.db, admin.id, "admin");
    expect(await deleteUser(database.db, second.id)).toMatchObject({ username: "erin" });
    expect((await listUsers(database.db)).map((u) => u.username)).toEqual(["admin", "dana"]);
  });

  it("changes a password", async () => {
    const dana = (await findUserByUsername(database.db, "dana"))!;
    await setPassword(database.db, dana.id, "new-dana-password");
    const after = (await findUserByUsername(database.db, "dana"))!;
    expect(await verifyPassword("new-dana-password", after.passwordHash)).toBe(true);
    expect(await verifyPassword("dana-password", after.passwordHash)).toBe(false);
  });
});
