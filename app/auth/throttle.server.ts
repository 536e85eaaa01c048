// Throttling of sign-in attempts, kept in the database so it holds across restarts and across web
// processes. SQL for `sign_in_failures` lives here. Three limits, each counting failed attempts:
//
// - per (username, client address): FREE_FAILURES_PER_CLIENT tries, then each further try waits
//   CLIENT_BACKOFF_BASE_MS after the latest failure, doubling with every failure up to
//   CLIENT_BACKOFF_CAP_MS; a client's failures count for CLIENT_WINDOW_MS. Someone guessing from
//   one address slows down only that address, not the owner signing in from elsewhere.
// - per username, from anywhere: MAX_FAILURES_PER_USERNAME within FAILURE_WINDOW_MS lock the
//   username for everyone until the oldest of them leaves the window (a ceiling against guessing
//   from many addresses).
// - per client address, across usernames: MAX_FAILURES_PER_IP within FAILURE_WINDOW_MS.
//
// `admit` decides and counts in one transaction under advisory locks on the username and the
// address, and counts the attempt as a failure *before* the caller checks the password: parallel
// attempts cannot all pass one check, so exactly as many passwords are checked as the limits allow.
// A successful sign-in then `forgive`s that client's failures for that username. A refused attempt
// is not counted (the password was not checked), so hammering a locked sign-in extends nothing.
import { and, count, desc, eq, gt, lt, max, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { signInFailures } from "~/db/schema";

const MINUTE = 60 * 1000;
export const FREE_FAILURES_PER_CLIENT = 5;
export const CLIENT_BACKOFF_BASE_MS = 15 * MINUTE;
export const CLIENT_BACKOFF_CAP_MS = 60 * MINUTE;
export const CLIENT_WINDOW_MS = 24 * 60 * MINUTE;
export const FAILURE_WINDOW_MS = 15 * MINUTE;
/** Ten times what one client gets before its backoff: only guessing from many addresses reaches it. */
export const MAX_FAILURES_PER_USERNAME = 50;
/** Higher than per client: several people behind one NAT may each mistype. */
export const MAX_FAILURES_PER_IP = 20;

/** Advisory lock classes (the two-key form, apart from other modules' one-key locks). */
const LOCK_USERNAME = 0x5167;
const LOCK_IP = 0x5168;

export type LockedBy = "client" | "username" | "ip";
export type ThrottleVerdict = { locked: false } | { locked: true; by: LockedBy; retryAfterSeconds: number };

export interface ThrottleOptions {
  freePerClient?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  clientWindowMs?: number;
  windowMs?: number;
  maxPerUsername?: number;
  maxPerIp?: number;
  now?: () => number;
}

export class SignInThrottle {
  private readonly freePerClient: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly clientWindowMs: number;
  private readonly windowMs: number;
  private readonly maxPerUsername: number;
  private readonly maxPerIp: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: ThrottleOptions = {},
  ) {
    this.freePerClient = options.freePerClient ?? FREE_FAILURES_PER_CLIENT;
    this.backoffBaseMs = options.backoffBaseMs ?? CLIENT_BACKOFF_BASE_MS;
    this.backoffCapMs = options.backoffCapMs ?? CLIENT_BACKOFF_CAP_MS;
    this.clientWindowMs = options.clientWindowMs ?? CLIENT_WINDOW_MS;
    this.windowMs = options.windowMs ?? FAILURE_WINDOW_MS;
    this.maxPerUsername = options.maxPerUsername ?? MAX_FAILURES_PER_USERNAME;
    this.maxPerIp = options.maxPerIp ?? MAX_FAILURES_PER_IP;
    this.now = options.now ?? Date.now;
  }

  /**
   * May `ip` try a password for `username` now? When it may, the attempt is already counted as a
   * failure (the caller then checks the password, and calls `forgive` if it was right).
   */
  async admit(username: string, ip: string): Promise<ThrottleVerdict> {
    const now = this.now();
    const verdict = await this.db.transaction(async (tx) => {
      // Always username first, then address: two classes, one lock each, so no deadlock.
      await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(LOCK_USERNAME))}, hashtext(${username}))`);
      await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(LOCK_IP))}, hashtext(${ip}))`);
      const verdict = await this.verdict(tx as unknown as Db, username, ip, now);
      if (!verdict.locked) await tx.insert(signInFailures).values({ username, ip, at: new Date(now) });
      return verdict;
    });
    // Rows no limit looks at any more.
    await this.db.delete(signInFailures).where(lt(signInFailures.at, new Date(now - Math.max(this.windowMs, this.clientWindowMs))));
    return verdict;
  }

  /** A successful sign-in forgives that client's failures for that username (not the others'). */
  async forgive(username: string, ip: string): Promise<void> {
    await this.db.delete(signInFailures).where(and(eq(signInFailures.username, username), eq(signInFailures.ip, ip)));
  }

  /** The longest lock that applies now, or not locked. */
  private async verdict(db: Db, username: string, ip: string, now: number): Promise<ThrottleVerdict> {
    const locks: [LockedBy, number | null][] = [
      ["client", await this.clientLockedUntil(db, username, ip, now)],
      ["username", await this.windowLockedUntil(db, eq(signInFailures.username, username), this.maxPerUsername, now)],
      ["ip", await this.windowLockedUntil(db, eq(signInFailures.ip, ip), this.maxPerIp, now)],
    ];
    let longest: [LockedBy, number] | null = null;
    for (const [by, until] of locks) {
      if (until !== null && until > now && (!longest || until > longest[1])) longest = [by, until];
    }
    if (!longest) return { locked: false };
    return { locked: true, by: longest[0], retryAfterSeconds: Math.max(1, Math.ceil((longest[1] - now) / 1000)) };
  }

  /** Exponential backoff for one client and one username: when its wait ends (epoch ms), or null. */
  private async clientLockedUntil(db: Db, username: string, ip: string, now: number): Promise<number | null> {
    const [row] = await db
      .select({ failures: count(), latest: max(signInFailures.at) })
      .from(signInFailures)
      .where(
        and(eq(signInFailures.username, username), eq(signInFailures.ip, ip), gt(signInFailures.at, new Date(now - this.clientWindowMs))),
      );
    const failures = Number(row?.failures ?? 0);
    if (failures < this.freePerClient || !row?.latest) return null;
    return new Date(row.latest).getTime() + backoffMs(failures - this.freePerClient, this.backoffBaseMs, this.backoffCapMs);
  }

  /** A sliding window over `match`: when its lock ends (epoch ms), or null when it is not locked. */
  private async windowLockedUntil(db: Db, match: ReturnType<typeof eq>, limit: number, now: number): Promise<number | null> {
    const rows = await db
      .select({ at: signInFailures.at })
      .from(signInFailures)
      .where(and(match, gt(signInFailures.at, new Date(now - this.windowMs))))
      .orderBy(desc(signInFailures.at))
      .limit(limit);
    if (rows.length < limit) return null;
    return rows[limit - 1].at.getTime() + this.windowMs;
  }
}

/** The wait after the free tries: base, 2×base, 4×base… never more than cap. */
function backoffMs(failuresPastFree: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(failuresPastFree, 30));
}

/** "about 14 minutes", "45 seconds": for the lock message. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
