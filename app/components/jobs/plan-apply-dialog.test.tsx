// The plan confirmation's note for a plan made from the catalog, and the labels its buttons carry.
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { CatalogPlanNote, planActionLabel } from "./plan-apply-dialog";

test("a catalog plan's note names the listing time; a plan from a live listing has none", () => {
  expect(renderToStaticMarkup(<CatalogPlanNote asOf="2026-12-02 17:05 UTC" />)).toContain(
    "This plan comes from the catalog as of 2026-12-02 17:05 UTC: keys written outside kvdeck since then are not in it",
  );
  expect(renderToStaticMarkup(<CatalogPlanNote asOf={null} />)).toBe("");
});

test("the action names the plan's kind and count", () => {
  expect(planActionLabel("purge", 30_000)).toBe("Delete 30,000 keys");
  expect(planActionLabel("purge", 1)).toBe("Delete 1 key");
  expect(planActionLabel("bulk-expiry", 7)).toBe("Change the expiry of 7 keys");
  expect(planActionLabel("copy", 2)).toBe("Copy 2 keys");
  expect(planActionLabel("move", 1_000_000)).toBe("Move 1,000,000 keys");
});
