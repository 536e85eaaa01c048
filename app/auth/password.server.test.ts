import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from "./password.server";

describe("password hashing", () => {
  it("stores scrypt with its parameters and a random salt, and verifies", async () => {
    const a = await hashPassword("correct horse battery staple");
    const b = await hashPassword("correct horse battery staple");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery staple", a)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it("treats composed and decomposed Unicode alike", async () => {
    const stored = await hashPassword("caf\u00e9-passw0rd");
    expect(await verifyPassword("cafe\u0301-passw0rd", stored)).toBe(true);
  });

  it("verifies a hash made with other (stored) parameters and asks for a rehash of weaker ones", async () => {
    const crypto = await import("node:crypto");
    const salt = crypto.randomBytes(16);
    const weak = crypto.scryptSync("old-password", salt, 32, { N: 1024, r: 8, p: 1 });
    const stored = ["scrypt", 1024, 8, 1, salt.toString("base64url"), weak.toString("base64url")].join("$");
    expect(await verifyPassword("old-password", stored)).toBe(true);
    expect(needsRehash(stored)).toBe(true);
  });

  it("refuses unreadable or absurd stored values instead of running them", async () => {
    const good = await hashPassword("pw-12345678");
    const [, , , , salt, hash] = good.split("$");
    for (const stored of [
      "",
      "plain-text",
      `bcrypt$32768$8$1$${salt}$${hash}`,
      `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 24}$8$1$${salt}$${hash}`, // 16 GiB of memory
      `scrypt$32768$8$1$${salt}`,
      `scrypt$32768$8$1$$${hash}`,
    ]) {
      expect(await verifyPassword("pw-12345678", stored), stored).toBe(false);
    }
  });

  it("spends a verification's time on unknown users and always says no", async () => {
    const started = performance.now();
    expect(await verifyAgainstNothing("anything")).toBe(false);
    expect(performance.now() - started).toBeGreaterThan(5);
  });
});
