// When applying a plan warns: once it is older than the upstream's consistency window.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { PLAN_CONSISTENCY_MS } from "~/jobs/types";
import { CatalogPlanNote, catalogPlanAsOf, planStaleMinutes } from "./select-all-matching";

describe("planStaleMinutes", () => {
  test("no warning within the consistency window, whole minutes (at least 1) after it", () => {
    const made = Date.parse("2026-01-01T00:00:00Z");
    expect(planStaleMinutes(made, made)).toBeNull();
    expect(planStaleMinutes(made, made + PLAN_CONSISTENCY_MS)).toBeNull();
    expect(planStaleMinutes(made, made + PLAN_CONSISTENCY_MS + 1)).toBe(1);
    expect(planStaleMinutes(made, made + 5 * 60_000 + 59_000)).toBe(5);
  });
});

describe("a plan from the catalog", () => {
  test("names the catalog's listing time, or its listing so far; a plan from a live listing has no note", () => {
    expect(catalogPlanAsOf({ recheckRequests: 3, fromCatalog: { asOf: "2026-12-02T17:05:09.120Z" } })).toBe("2026-12-02 17:05 UTC");
    expect(catalogPlanAsOf({ recheckRequests: 3, fromCatalog: { asOf: null } })).toBe("its listing so far");
    expect(catalogPlanAsOf({ recheckRequests: 3 })).toBeNull();
    expect(catalogPlanAsOf(undefined)).toBeNull();
    expect(renderToStaticMarkup(<CatalogPlanNote asOf="2026-12-02 17:05 UTC" />)).toContain(
      "This plan comes from the catalog as of 2026-12-02 17:05 UTC: keys written outside kvdeck since then are not in it",
    );
    expect(renderToStaticMarkup(<CatalogPlanNote asOf={null} />)).toBe("");
  });
});
