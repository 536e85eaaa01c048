import { afterEach, expect, test, vi } from "vitest";
import { nowSeconds } from "./time";

afterEach(() => {
  vi.useRealTimers();
});

test("nowSeconds is the epoch time in whole seconds, rounded down", () => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_999);
  expect(nowSeconds()).toBe(1_700_000_000);
  vi.setSystemTime(1_700_000_001_000);
  expect(nowSeconds()).toBe(1_700_000_001);
});
