import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signInFailures } from "~/db/schema";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { describeWait, SignInThrottle, type ThrottleVerdict } from "./throttle.server";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe("sign-in throttling", () => {
  let database: TestDatabase;
  let now = Date.UTC(2030, 0, 1);
  let throttle: SignInThrottle;

  beforeAll(async () => {
    database = await openTestDatabase();
    // The defaults: 5 free tries per client, then 15, 30, 60 minutes (cap); 50 per username and
    // 20 per address within 15 minutes.
    throttle = new SignInThrottle(database.db, { now: () => now });
  });
  afterAll(() => database.close());
  // Every test starts on a day of its own, past every window of the one before.
  beforeEach(() => {
    now += 2 * DAY;
  });

  /** What the sign-in route does: admit, then a password check that takes a while, and it is wrong. */
  async function signInWrong(username: string, ip: string, checks: { count: number }): Promise<ThrottleVerdict> {
    const verdict = await throttle.admit(username, ip);
    if (!verdict.locked) {
      checks.count++;
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve)); // scrypt's await
    }
    return verdict;
  }

  it("checks exactly 5 passwords out of 30 parallel attempts for one username from one client", async () => {
    const checks = { count: 0 };
    const verdicts = await Promise.all(Array.from({ length: 30 }, () => signInWrong("race", "10.0.0.1", checks)));
    expect(checks.count).toBe(5);
    expect(verdicts.filter((v) => !v.locked)).toHaveLength(5);
    for (const v of verdicts.filter((v) => v.locked)) expect(v).toEqual({ locked: true, by: "client", retryAfterSeconds: 15 * 60 });
    const rows = await database.db.select().from(signInFailures);
    expect(rows.filter((r) => r.username === "race")).toHaveLength(5);
  });

  it("checks exactly 50 passwords out of 80 parallel attempts for one username from 80 clients (the ceiling)", async () => {
    const checks = { count: 0 };
    const verdicts = await Promise.all(Array.from({ length: 80 }, (_, i) => signInWrong("spread", `10.1.0.${i}`, checks)));
    expect(checks.count).toBe(50);
    expect(verdicts.filter((v) => v.locked).map((v) => v.locked && v.by)).toEqual(Array(30).fill("username"));
  });

  it("backs off per client: 5 free tries, then 15, 30, 60 and at most 60 minutes after each failure", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await throttle.admit("alice", "10.2.0.1")).toEqual({ locked: false });
      now += MINUTE;
    }
    // The 5th failure was a minute ago.
    expect(await throttle.admit("alice", "10.2.0.1")).toEqual({ locked: true, by: "client", retryAfterSeconds: 14 * 60 });
    for (const waitMinutes of [15, 30, 60, 60]) {
      now += (waitMinutes - 2) * MINUTE; // the previous failure was a minute before
      expect((await throttle.admit("alice", "10.2.0.1")).locked, `1 minute before the ${waitMinutes}-minute wait ends`).toBe(true);
      now += MINUTE;
      expect(await throttle.admit("alice", "10.2.0.1"), `after ${waitMinutes} minutes`).toEqual({ locked: false });
      const next = 2 * waitMinutes > 60 ? 60 : 2 * waitMinutes;
      expect(await throttle.admit("alice", "10.2.0.1")).toEqual({ locked: true, by: "client", retryAfterSeconds: next * 60 });
      now += MINUTE;
    }
    // A day without failures and the client starts afresh.
    now += DAY;
    expect(await throttle.admit("alice", "10.2.0.1")).toEqual({ locked: false });
  });

  it("an attacker guessing from one address cannot lock the owner out from another", async () => {
    await database.db.insert(signInFailures).values({ username: "admin", ip: "10.3.0.99", at: new Date(now - 1) }); // the owner mistyped once
    const checks = { count: 0 };
    for (let i = 0; i < 200; i++) {
      await signInWrong("admin", "203.0.113.5", checks);
      now += 10_000; // one guess every 10 seconds for half an hour
    }
    expect(checks.count).toBe(6); // 5 free, one more after 15 minutes
    // Refused guesses are not counted: the username is far below its ceiling.
    expect(await throttle.admit("admin", "10.3.0.99")).toEqual({ locked: false });
    await throttle.forgive("admin", "10.3.0.99");
    expect((await database.db.select().from(signInFailures)).filter((r) => r.username === "admin").map((r) => r.ip)).toEqual(
      Array(6).fill("203.0.113.5"),
    );
    // The owner's success forgives the owner's failures only, not the attacker's.
    expect(await throttle.admit("admin", "203.0.113.5")).toMatchObject({ locked: true, by: "client" });
  });

  it("locks a username for everyone after 50 failures from many clients, until the oldest leaves 15 minutes", async () => {
    const start = now;
    for (let client = 0; client < 10; client++) {
      for (let i = 0; i < 5; i++) expect(await throttle.admit("bob", `10.4.${client}.1`)).toEqual({ locked: false });
      now += MINUTE;
    }
    // The first 5 failures are 10 minutes old.
    expect(await throttle.admit("bob", "10.4.99.1")).toEqual({ locked: true, by: "username", retryAfterSeconds: 5 * 60 });
    expect(await throttle.admit("not-bob", "10.4.99.1")).toEqual({ locked: false });
    now = start + 15 * MINUTE - 1_000;
    expect((await throttle.admit("bob", "10.4.99.1")).locked).toBe(true);
    now = start + 15 * MINUTE;
    expect(await throttle.admit("bob", "10.4.99.1")).toEqual({ locked: false });
  });

  it("locks an address after 20 failures across usernames", async () => {
    for (let i = 0; i < 20; i++) expect(await throttle.admit(`user${i}`, "192.0.2.7")).toEqual({ locked: false });
    expect(await throttle.admit("someone-new", "192.0.2.7")).toEqual({ locked: true, by: "ip", retryAfterSeconds: 15 * 60 });
    expect(await throttle.admit("someone-new", "192.0.2.8")).toEqual({ locked: false });
  });

  it("names the longest of several locks", async () => {
    for (let i = 0; i < 5; i++) await throttle.admit("carol", "192.0.2.9");
    now += 15 * MINUTE;
    expect(await throttle.admit("carol", "192.0.2.9")).toEqual({ locked: false }); // 6th: 30 minutes next
    now += 16 * MINUTE;
    for (let i = 0; i < 20; i++) expect(await throttle.admit(`other${i}`, "192.0.2.9")).toEqual({ locked: false });
    // carol's backoff ends in 14 minutes, the address's window in 15.
    expect(await throttle.admit("carol", "192.0.2.9")).toEqual({ locked: true, by: "ip", retryAfterSeconds: 15 * 60 });
    now += 15 * MINUTE;
    expect(await throttle.admit("carol", "192.0.2.9")).toEqual({ locked: false });
    expect(await throttle.admit("carol", "192.0.2.9")).toEqual({ locked: true, by: "client", retryAfterSeconds: 60 * 60 });
  });

  it("forgives a client's failures for that username after a successful sign-in", async () => {
    for (let i = 0; i < 5; i++) await throttle.admit("erin", "10.5.0.1");
    expect((await throttle.admit("erin", "10.5.0.1")).locked).toBe(true);
    await throttle.forgive("erin", "10.5.0.1");
    expect(await throttle.admit("erin", "10.5.0.1")).toEqual({ locked: false });
  });

  it("forgets failures no limit looks at any more", async () => {
    await throttle.admit("frank", "10.6.0.1");
    now += DAY + 1;
    await throttle.admit("gina", "10.6.0.2");
    expect((await database.db.select().from(signInFailures)).map((r) => r.username)).toEqual(["gina"]);
  });

  it("words the wait", () => {
    expect(describeWait(1)).toBe("1 second");
    expect(describeWait(45)).toBe("45 seconds");
    expect(describeWait(60)).toBe("1 minute");
    expect(describeWait(61)).toBe("2 minutes");
    expect(describeWait(14 * 60 + 3)).toBe("15 minutes");
  });
});
