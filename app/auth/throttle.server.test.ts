import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { describeWait, SignInThrottle } from "./throttle.server";

const MINUTE = 60_000;

describe("sign-in throttling", () => {
  let database: TestDatabase;
  let now = Date.UTC(2030, 0, 1);
  let throttle: SignInThrottle;

  beforeAll(async () => {
    database = await openTestDatabase();
    throttle = new SignInThrottle(database.db, { windowMs: 15 * MINUTE, maxPerUsername: 5, maxPerIp: 8, now: () => now });
  });
  afterAll(() => database.close());

  it("locks a username after 5 failures in 15 minutes, until the oldest of them is 15 minutes old", async () => {
    const start = now;
    for (let i = 0; i < 4; i++) {
      await throttle.recordFailure("alice", `10.0.0.${i}`);
      now += MINUTE;
    }
    expect(await throttle.check("alice", "10.9.9.9")).toEqual({ locked: false });
    await throttle.recordFailure("alice", "10.0.0.9");
    const verdict = await throttle.check("alice", "10.9.9.9");
    expect(verdict).toEqual({ locked: true, by: "username", retryAfterSeconds: 11 * 60 });
    // Another username from the same addresses is not locked.
    expect(await throttle.check("bob", "10.9.9.9")).toEqual({ locked: false });
    now = start + 15 * MINUTE - 1_000;
    expect((await throttle.check("alice", "10.9.9.9")).locked).toBe(true);
    now = start + 15 * MINUTE;
    expect(await throttle.check("alice", "10.9.9.9")).toEqual({ locked: false });
  });

  it("locks an address after its own limit, across usernames", async () => {
    now += 60 * MINUTE;
    for (let i = 0; i < 8; i++) await throttle.recordFailure(`user${i}`, "192.0.2.7");
    expect(await throttle.check("someone-new", "192.0.2.7")).toMatchObject({ locked: true, by: "ip" });
    expect(await throttle.check("someone-new", "192.0.2.8")).toEqual({ locked: false });
  });

  it("forgives a username's failures after a successful sign-in", async () => {
    now += 60 * MINUTE;
    for (let i = 0; i < 5; i++) await throttle.recordFailure("carol", "10.1.1.1");
    expect((await throttle.check("carol", "10.1.1.2")).locked).toBe(true);
    await throttle.clear("carol");
    expect(await throttle.check("carol", "10.1.1.2")).toEqual({ locked: false });
  });

  it("words the wait", () => {
    expect(describeWait(1)).toBe("1 second");
    expect(describeWait(45)).toBe("45 seconds");
    expect(describeWait(60)).toBe("1 minute");
    expect(describeWait(61)).toBe("2 minutes");
    expect(describeWait(14 * 60 + 3)).toBe("15 minutes");
  });
});
