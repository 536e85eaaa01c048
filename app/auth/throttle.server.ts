// Throttling of failed sign-ins, per username and per client address, kept in the database so it
// holds across restarts and across web processes. SQL for `sign_in_failures` lives here.
//
// A sliding window: after MAX failures within WINDOW, sign-in is refused (without checking the
// password) until the oldest of those failures is WINDOW old.
import { and, desc, eq, gt, lt } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { signInFailures } from "~/db/schema";

export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_USERNAME = 5;
/** Higher than per username: several people behind one NAT may each mistype. */
export const MAX_FAILURES_PER_IP = 20;

export type ThrottleVerdict = { locked: false } | { locked: true; by: "username" | "ip"; retryAfterSeconds: number };

export interface ThrottleOptions {
  windowMs?: number;
  maxPerUsername?: number;
  maxPerIp?: number;
  now?: () => number;
}

export class SignInThrottle {
  private readonly windowMs: number;
  private readonly maxPerUsername: number;
  private readonly maxPerIp: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: ThrottleOptions = {},
  ) {
    this.windowMs = options.windowMs ?? FAILURE_WINDOW_MS;
    this.maxPerUsername = options.maxPerUsername ?? MAX_FAILURES_PER_USERNAME;
    this.maxPerIp = options.maxPerIp ?? MAX_FAILURES_PER_IP;
    this.now = options.now ?? Date.now;
  }

  async check(username: string, ip: string): Promise<ThrottleVerdict> {
    const byUsername = await this.lockedUntil(eq(signInFailures.username, username), this.maxPerUsername);
    const byIp = await this.lockedUntil(eq(signInFailures.ip, ip), this.maxPerIp);
    const until = Math.max(byUsername ?? 0, byIp ?? 0);
    if (!until) return { locked: false };
    return {
      locked: true,
      by: byUsername !== null && byUsername >= (byIp ?? 0) ? "username" : "ip",
      retryAfterSeconds: Math.max(1, Math.ceil((until - this.now()) / 1000)),
    };
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const now = this.now();
    await this.db.insert(signInFailures).values({ username, ip, at: new Date(now) });
    await this.db.delete(signInFailures).where(lt(signInFailures.at, new Date(now - this.windowMs)));
  }

  /** A successful sign-in forgives that username's failures (not the address's). */
  async clear(username: string): Promise<void> {
    await this.db.delete(signInFailures).where(eq(signInFailures.username, username));
  }

  /** When the lock over `match` ends (epoch ms), or null when it is not locked. */
  private async lockedUntil(match: ReturnType<typeof eq>, max: number): Promise<number | null> {
    const now = this.now();
    const rows = await this.db
      .select({ at: signInFailures.at })
      .from(signInFailures)
      .where(and(match, gt(signInFailures.at, new Date(now - this.windowMs))))
      .orderBy(desc(signInFailures.at))
      .limit(max);
    if (rows.length < max) return null;
    return rows[max - 1].at.getTime() + this.windowMs;
  }
}

/** "about 14 minutes", "45 seconds": for the lock message. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
