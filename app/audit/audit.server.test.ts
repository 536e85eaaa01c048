import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { forgetSecrets, registerSecret } from "~/utils/redact.server";
import { openTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { listAuditEvents, record } from "./audit.server";

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());
afterEach(() => forgetSecrets());

describe("the audit writer", () => {
  it("redacts every known secret and bearer credential from the target and the details' text, at any depth", async () => {
    registerSecret("known-token-0123456789");
    await record(database.db, {
      action: "key.update",
      target: "connection 1 / key known-token-0123456789",
      outcome: "failed",
      details: {
        error: "upstream said: token known-token-0123456789 rejected",
        failed: [{ key: "a", error: "Authorization: Bearer abcdefgh12345678" }],
      },
    });
    const { events } = await listAuditEvents(database.db, { action: "key.update" }, { limit: 10, offset: 0 });
    expect(events[0].target).toBe("connection 1 / key [redacted]");
    expect(events[0].details).toEqual({
      error: "upstream said: token [redacted] rejected",
      failed: [{ key: "a", error: "Authorization: [redacted]" }],
    });
  });
});
