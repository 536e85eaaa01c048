import { expect, test } from "vitest";
import type { KeyRow } from "./row-states";
import { appendPage } from "./use-key-pages";

const rows = (from: number, count: number): KeyRow[] => Array.from({ length: count }, (_, i) => ({ name: `k${from + i}` }) as KeyRow);

test("pages are appended until the window is full, then as many rows as go past it are let go at the start", () => {
  let pages = { rows: rows(0, 1000), skipped: 0 };
  pages = appendPage(pages, rows(1000, 1000), 2500);
  expect(pages.rows).toHaveLength(2000);
  expect(pages.skipped).toBe(0);

  pages = appendPage(pages, rows(2000, 1000), 2500);
  expect(pages.rows).toHaveLength(2500);
  expect(pages.skipped).toBe(500);
  expect(pages.rows[0].name).toBe("k500");
  expect(pages.rows.at(-1)!.name).toBe("k2999");

  pages = appendPage(pages, rows(3000, 1000), 2500);
  expect(pages.skipped).toBe(1500);
  // skipped + index is each row's place in the whole listing
  expect(pages.rows.map((r, i) => [r.name, pages.skipped + i]).slice(0, 2)).toEqual([
    ["k1500", 1500],
    ["k1501", 1501],
  ]);
});

test("an empty page lets nothing go", () => {
  const pages = appendPage({ rows: rows(0, 2500), skipped: 7 }, [], 2500);
  expect(pages).toEqual({ rows: rows(0, 2500), skipped: 7 });
});
