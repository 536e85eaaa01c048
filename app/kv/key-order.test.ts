import { expect, test } from "vitest";
import { compareKeys } from "./key-order";

test("orders like UTF-8 bytes, astral characters after the rest of the BMP", () => {
  const keys = ["😀", "\uFFFD", "中", "ß", "é", "z", "a", "Z", "", "a\u0000", "\uE000"];
  const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  expect([...keys].sort(compareKeys)).toEqual(byBytes);
  expect(compareKeys("😀", "\uFFFD")).toBeGreaterThan(0);
  expect("😀" < "\uFFFD").toBe(true); // what plain JS would get wrong
});
