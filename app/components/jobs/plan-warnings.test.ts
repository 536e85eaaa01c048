// What a plan's confirmation says beyond its count: the catalog listing it was made from, its age past
// the consistency window, and a catalog plan once the catalog has finished a newer listing.
import { describe, expect, test } from "vitest";
import { PLAN_CONSISTENCY_MS } from "~/jobs/types";
import { catalogPlanAsOf, catalogRefreshedWarning, planStaleMinutes } from "./plan-warnings";

describe("planStaleMinutes", () => {
  test("no warning within the consistency window, whole minutes (at least 1) after it", () => {
    const made = Date.parse("2026-01-01T00:00:00Z");
    expect(planStaleMinutes(made, made)).toBeNull();
    expect(planStaleMinutes(made, made + PLAN_CONSISTENCY_MS)).toBeNull();
    expect(planStaleMinutes(made, made + PLAN_CONSISTENCY_MS + 1)).toBe(1);
    expect(planStaleMinutes(made, made + 5 * 60_000 + 59_000)).toBe(5);
  });
});

describe("catalogRefreshedWarning", () => {
  const plan = { recheckRequests: 3, fromCatalog: { asOf: "2026-12-02T17:05:09.120Z" } };

  test("warns once the catalog's last finished listing is newer than the one the plan read, naming when it finished", () => {
    expect(catalogRefreshedWarning(plan, { asOf: "2026-12-02T18:00:00.000Z", finishedAt: "2026-12-02T18:01:30.000Z" })).toBe(
      "The catalog was refreshed at 2026-12-02 18:01 UTC after this plan was made; the plan holds the keys of the earlier listing: " +
        "keys found since are not in it (re-check live adds them, or make a new plan).",
    );
    // A listing under way when the plan was made, finished since.
    expect(
      catalogRefreshedWarning({ recheckRequests: 1, fromCatalog: { asOf: null } }, { asOf: "2026-12-02T18:00:00.000Z", finishedAt: null }),
    ).toMatch(/^The catalog was refreshed at 2026-12-02 18:00 UTC after this plan was made;/);
  });

  test("no warning for the listing the plan read, for a live plan, or when the catalog is unknown or gone", () => {
    expect(catalogRefreshedWarning(plan, { asOf: "2026-12-02T17:05:09.120Z", finishedAt: "2026-12-02T17:06:00.000Z" })).toBeNull();
    expect(catalogRefreshedWarning(plan, { asOf: "2026-12-02T16:00:00.000Z", finishedAt: null })).toBeNull();
    expect(catalogRefreshedWarning({ recheckRequests: 3 }, { asOf: "2026-12-02T18:00:00.000Z", finishedAt: null })).toBeNull();
    expect(catalogRefreshedWarning(undefined, { asOf: "2026-12-02T18:00:00.000Z", finishedAt: null })).toBeNull();
    expect(catalogRefreshedWarning(plan, null)).toBeNull();
    expect(catalogRefreshedWarning(plan, undefined)).toBeNull();
  });
});

describe("catalogPlanAsOf", () => {
  test("names the catalog's listing time, or its listing so far; a plan from a live listing has none", () => {
    expect(catalogPlanAsOf({ recheckRequests: 3, fromCatalog: { asOf: "2026-12-02T17:05:09.120Z" } })).toBe("2026-12-02 17:05 UTC");
    expect(catalogPlanAsOf({ recheckRequests: 3, fromCatalog: { asOf: null } })).toBe("its listing so far");
    expect(catalogPlanAsOf({ recheckRequests: 3 })).toBeNull();
    expect(catalogPlanAsOf(undefined)).toBeNull();
  });
});
