// Sessions: a random token in a signed, HttpOnly, SameSite=Lax cookie; the server keeps the
// session (keyed by the token's SHA-256) in `sessions`, so signing out, deleting a user or
// letting a session idle really ends it. SQL for `sessions` lives here.
import crypto from "node:crypto";
import { and, eq, lt, ne, or } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { sessions, users } from "~/db/schema";
import type { SessionUser } from "./roles";

/** A session nobody used for this long is over. */
export const SESSION_IDLE_MS = 7 * 24 * 60 * 60 * 1000;
/** However busy, a session ends this long after sign-in. */
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;
const TOKEN_BYTES = 32;

/** Over HTTPS the cookie takes the `__Host-` prefix: the browser then insists on Secure, Path=/ and no Domain. */
const COOKIE_NAME = "kvdeck_session";
const SECURE_COOKIE_NAME = `__Host-${COOKIE_NAME}`;

// ---- cookie values ----

/** The cookie-signing key, derived from kvdeck's secret key so one secret serves both uses. */
export function sessionSigningKey(secretKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", secretKey, Buffer.alloc(0), "kvdeck session cookie v1", 32));
}

export function signToken(token: string, key: Buffer): string {
  return `${token}.${crypto.createHmac("sha256", key).update(token).digest("base64url")}`;
}

/**
 * The token of a signed value, or null when the signature does not match. The signature is compared
 * as text with the one canonical base64url encoding of the HMAC, not decoded first: a decoder
 * ignores the 2 spare bits of the last character, padding and the other alphabet's `+` and `/`, so
 * decoding would accept several spellings of one signature.
 */
export function unsignToken(signed: string, key: Buffer): string | null {
  const dot = signed.lastIndexOf(".");
  if (dot <= 0) return null;
  const token = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1), "utf8");
  const expected = Buffer.from(crypto.createHmac("sha256", key).update(token).digest("base64url"), "utf8");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? token : null;
}

export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || cookies.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

function serializeCookie(name: string, value: string, secure: boolean, maxAgeSeconds: number): string {
  return [`${name}=${value}`, "Path=/", `Max-Age=${maxAgeSeconds}`, "HttpOnly", "SameSite=Lax", ...(secure ? ["Secure"] : [])].join("; ");
}

const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

// ---- the store ----

export interface SessionInfo {
  ip?: string | null;
  userAgent?: string | null;
}

export interface ResolvedSession {
  /** The row id (the token's hash): what sign-out and audit records name. */
  sessionId: string;
  user: SessionUser;
}

export interface SessionStoreOptions {
  idleMs?: number;
  maxAgeMs?: number;
  now?: () => number;
}

export class SessionStore {
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    options: SessionStoreOptions = {},
  ) {
    this.idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.maxAgeMs = options.maxAgeMs ?? SESSION_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Starts a session; returns its id and the Set-Cookie value that carries it. */
  async create(userId: number, info: SessionInfo, secure: boolean): Promise<{ sessionId: string; setCookie: string }> {
    const token = crypto.randomBytes(TOKEN_BYTES).toString("base64url");
    const now = this.now();
    const sessionId = hashToken(token);
    await this.db.insert(sessions).values({
      id: sessionId,
      userId,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: new Date(now + this.maxAgeMs),
      ip: info.ip?.slice(0, 64) ?? null,
      userAgent: info.userAgent?.slice(0, 256) ?? null,
    });
    const name = secure ? SECURE_COOKIE_NAME : COOKIE_NAME;
    return { sessionId, setCookie: serializeCookie(name, signToken(token, this.key), secure, Math.floor(this.maxAgeMs / 1000)) };
  }

  /** The session id a request's cookie names, if its signature holds (the session may still be over). */
  sessionIdFrom(cookieHeader: string | null | undefined): string | null {
    const cookies = parseCookies(cookieHeader);
    for (const name of [SECURE_COOKIE_NAME, COOKIE_NAME]) {
      const value = cookies.get(name);
      const token = value ? unsignToken(value, this.key) : null;
      if (token) return hashToken(token);
    }
    return null;
  }

  /** The live session and its user, or null (and an ended session is deleted on the way). */
  async resolve(cookieHeader: string | null | undefined): Promise<ResolvedSession | null> {
    const sessionId = this.sessionIdFrom(cookieHeader);
    if (!sessionId) return null;
    const [row] = await this.db
      .select({
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        id: users.id,
        username: users.username,
        role: users.role,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sessionId));
    if (!row) return null;
    const now = this.now();
    if (row.expiresAt.getTime() <= now || row.lastSeenAt.getTime() + this.idleMs <= now) {
      await this.destroy(sessionId);
      return null;
    }
    if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      await this.db
        .update(sessions)
        .set({ lastSeenAt: new Date(now) })
        .where(eq(sessions.id, sessionId));
    }
    return { sessionId, user: { id: row.id, username: row.username, role: row.role } };
  }

  async destroy(sessionId: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.id, sessionId));
  }

  /** Ends every session of a user (after a password reset), except optionally the caller's own. */
  async destroyForUser(userId: number, exceptSessionId?: string): Promise<number> {
    const where = exceptSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId)) : eq(sessions.userId, userId);
    return (await this.db.delete(sessions).where(where).returning({ id: sessions.id })).length;
  }

  /** Deletes sessions that are over; sign-in calls it, so the table does not grow without bound. */
  async sweepExpired(): Promise<void> {
    const now = this.now();
    await this.db.delete(sessions).where(or(lt(sessions.expiresAt, new Date(now)), lt(sessions.lastSeenAt, new Date(now - this.idleMs))));
  }

  /** Set-Cookie values that remove the session cookie under either name. */
  clearCookies(secure: boolean): string[] {
    const cleared = [serializeCookie(COOKIE_NAME, "", secure, 0)];
    if (secure) cleared.push(serializeCookie(SECURE_COOKIE_NAME, "", true, 0));
    return cleared;
  }
}
