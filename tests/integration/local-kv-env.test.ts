// The app's environment check speaks the local KV API's rate-limit syntax: a bad KVDECK_RATE_LIMIT
// stops the start with a message naming the variable (the syntax itself: packages/local-kv's
// rate-limit tests).
import { describe, expect, it } from "vitest";
import { parseEnv } from "~/utils/env.server";

describe("parseEnv and KVDECK_RATE_LIMIT", () => {
  it("names KVDECK_RATE_LIMIT in the startup error for a bad setting", () => {
    for (const text of ["0/60s", "10/500ms", "1200/300s,lockout=soon", "fast"]) {
      expect(() => parseEnv({ KVDECK_RATE_LIMIT: text })).toThrow(/invalid environment\n {2}KVDECK_RATE_LIMIT: invalid rate limit/);
    }
    expect(parseEnv({ KVDECK_RATE_LIMIT: "1200/300s,lockout=300s" }).KVDECK_RATE_LIMIT).toBe("1200/300s,lockout=300s");
  });
});
