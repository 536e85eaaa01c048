// When applying a plan warns: once it is older than the upstream's consistency window.
import { describe, expect, test } from "vitest";
import { PLAN_CONSISTENCY_MS } from "~/jobs/types";
import { planStaleMinutes } from "./select-all-matching";

describe("planStaleMinutes", () => {
  test("no warning within the consistency window, whole minutes (at least 1) after it", () => {
    const made = Date.parse("2026-01-01T00:00:00Z");
    expect(planStaleMinutes(made, made)).toBeNull();
    expect(planStaleMinutes(made, made + PLAN_CONSISTENCY_MS)).toBeNull();
    expect(planStaleMinutes(made, made + PLAN_CONSISTENCY_MS + 1)).toBe(1);
    expect(planStaleMinutes(made, made + 5 * 60_000 + 59_000)).toBe(5);
  });
});
