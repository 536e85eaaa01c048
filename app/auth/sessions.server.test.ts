import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions } from "~/db/schema";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { parseCookies, SessionStore, sessionSigningKey, signToken, unsignToken } from "./sessions.server";
import { createUser } from "./users.server";

// Fixed keys and tokens: what these tests prove must not depend on the run.
const key = sessionSigningKey(Buffer.alloc(32, 7));
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Characters a lenient base64 decoder might accept or skip: the other alphabet, padding, blanks. */
const LOOKALIKES = "+/=. \t%";

describe("cookie signing", () => {
  it("round-trips and rejects any change to token or signature", () => {
    const signed = signToken("abc_DEF-123", key);
    expect(unsignToken(signed, key)).toBe("abc_DEF-123");
    expect(unsignToken(signed.replace("abc", "abd"), key)).toBeNull();
    expect(unsignToken(signed, sessionSigningKey(Buffer.alloc(32, 8)))).toBeNull();
    expect(unsignToken("no-signature", key)).toBeNull();
    expect(unsignToken(".sig", key)).toBeNull();
    expect(unsignToken(`${signed}x`, key)).toBeNull();
    expect(unsignToken(`${signed}=`, key)).toBeNull();
    expect(unsignToken(`${signed.slice(0, -1)}`, key)).toBeNull();
  });

  it("accepts only the one canonical encoding: every character replaced by every other is refused", () => {
    // A 32-byte HMAC is 43 base64url characters; the last carries 2 unused bits, so a decoder
    // that ignores them takes 4 characters there for the same bytes (and Node's also reads + and /).
    const token = "x".repeat(8) + BASE64URL.slice(0, 35);
    const signed = signToken(token, key);
    expect(signed).toHaveLength(43 + 1 + 43);
    const accepted: string[] = [];
    for (let i = 0; i < signed.length; i++) {
      if (signed[i] === ".") continue;
      for (const c of BASE64URL + LOOKALIKES) {
        if (c === signed[i]) continue;
        const tampered = signed.slice(0, i) + c + signed.slice(i + 1);
        if (unsignToken(tampered, key) !== null) accepted.push(`${i}:${c}`);
      }
      // Inserting a character anywhere is refused too.
      if (unsignToken(signed.slice(0, i) + "=" + signed.slice(i), key) !== null) accepted.push(`${i}:+=`);
    }
    expect(accepted).toEqual([]);
  });

  it("derives a different key from each secret", () => {
    const secret = Buffer.alloc(32, 9);
    expect(sessionSigningKey(secret).equals(sessionSigningKey(secret))).toBe(true);
    expect(sessionSigningKey(secret).equals(secret)).toBe(false);
  });

  it("parses cookie headers, keeping the first of duplicate names", () => {
    const cookies = parseCookies('a=1; b="two"; a=3; c=%3D; broken; d=');
    expect(Object.fromEntries(cookies)).toEqual({ a: "1", b: "two", c: "=", d: "" });
  });
});

describe("the session store", () => {
  let database: TestDatabase;
  let userId: number;
  let now = Date.UTC(2030, 0, 1);
  let store: SessionStore;
  const DAY = 24 * 60 * 60 * 1000;

  beforeAll(async () => {
    database = await openTestDatabase();
    userId = (await createUser(database.db, { username: "Sam", role: "editor", password: "sam-password" }))!.id;
    store = new SessionStore(database.db, key, { idleMs: 7 * DAY, maxAgeMs: 30 * DAY, now: () => now });
  });
  afterAll(() => database.close());

  const cookieOf = (setCookie: string) => setCookie.split(";")[0];

  it("issues an HttpOnly, SameSite=Lax cookie (Secure with the __Host- prefix over HTTPS) and resolves it", async () => {
    const plain = await store.create(userId, { ip: "10.0.0.1", userAgent: "test" }, false);
    expect(plain.setCookie).toMatch(/^kvdeck_session=[\w-]{43}\.[\w-]{43}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/);
    expect(await store.resolve(cookieOf(plain.setCookie))).toEqual({
      sessionId: plain.sessionId,
      user: { id: userId, username: "sam", role: "editor" },
    });

    const secure = await store.create(userId, {}, true);
    expect(secure.setCookie).toMatch(/^__Host-kvdeck_session=\S+; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure$/);
    expect((await store.resolve(`other=1; ${cookieOf(secure.setCookie)}`))?.sessionId).toBe(secure.sessionId);
  });

  it("keeps only the token's hash in the database", async () => {
    const { setCookie, sessionId } = await store.create(userId, {}, false);
    const token = cookieOf(setCookie).split("=")[1].split(".")[0];
    const rows = await database.db.select().from(sessions);
    expect(rows.some((r) => r.id === token)).toBe(false);
    expect(sessionId).toBe(crypto.createHash("sha256").update(token).digest("hex"));
  });

  it("refuses a forged signature, an unknown token and a destroyed session", async () => {
    const { setCookie, sessionId } = await store.create(userId, {}, false);
    const cookie = cookieOf(setCookie);
    expect(await store.resolve(cookie.replace(/\.[\w-]+$/, ".AAAA"))).toBeNull();
    expect(await store.resolve(`kvdeck_session=${signToken("made-up-token", key)}`)).toBeNull();
    await store.destroy(sessionId);
    expect(await store.resolve(cookie)).toBeNull();
  });

  it("ends a session after 7 idle days, and keeps an active one alive until 30 days", async () => {
    const start = now;
    const idle = await store.create(userId, {}, false);
    const active = await store.create(userId, {}, false);
    for (let day = 1; day <= 29; day += 3) {
      now = start + day * DAY;
      expect(await store.resolve(cookieOf(active.setCookie)), `day ${day}`).not.toBeNull();
    }
    expect(await store.resolve(cookieOf(idle.setCookie))).toBeNull();
    now = start + 30 * DAY;
    expect(await store.resolve(cookieOf(active.setCookie))).toBeNull();
    now = start;
  });

  it("ends every session of a user but the one kept, and sweeps ended ones", async () => {
    const keep = await store.create(userId, {}, false);
    const other = await store.create(userId, {}, false);
    expect(await store.destroyForUser(userId, keep.sessionId)).toBeGreaterThanOrEqual(1);
    expect(await store.resolve(cookieOf(keep.setCookie))).not.toBeNull();
    expect(await store.resolve(cookieOf(other.setCookie))).toBeNull();
    now += 8 * 24 * 60 * 60 * 1000;
    await store.sweepExpired();
    expect(await database.db.select().from(sessions)).toEqual([]);
  });

  it("clears the cookie under both names", () => {
    expect(store.clearCookies(true)).toEqual([
      "kvdeck_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
      "__Host-kvdeck_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    ]);
  });
});
