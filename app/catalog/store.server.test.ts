// The catalog's prefix range: prefixEnd(p) is above every name starting with p and at or below
// every greater name that does not, in UTF-8 byte order (the order of the COLLATE "C" key column).
import { expect, test } from "vitest";
import { prefixEnd } from "./store.server";

const bytes = (s: string) => Buffer.from(s, "utf8");
const below = (a: string, b: string) => Buffer.compare(bytes(a), bytes(b)) < 0;

test("prefixEnd bounds exactly the names that start with the prefix", () => {
  const prefixes = ["a", "a/", "cache/v1", "\u0001\u0001", "\uD7FF", "\uFFFF", "😀", "x\u{10FFFF}", "\u{10FFFF}"];
  const tails = ["", "\u0000", "a", "\u007F", "\u0080", "\uD7FF", "\uE000", "\uFFFF", "😀", "\u{10FFFF}", "\u{10FFFF}\u{10FFFF}"];
  for (const prefix of prefixes) {
    const end = prefixEnd(prefix);
    for (const tail of tails) {
      const name = prefix + tail;
      if (end !== null) expect(below(name, end), `${JSON.stringify(name)} < end of ${JSON.stringify(prefix)}`).toBe(true);
    }
    if (end === null) continue;
    expect(end.startsWith(prefix)).toBe(false);
    // Nothing between the prefix's names and the end: the end is the next name in order.
    expect(below(prefix, end)).toBe(true);
  }
  expect(prefixEnd("\uD7FF")).toBe("\uE000");
  expect(prefixEnd("x\u{10FFFF}")).toBe("y");
  expect(prefixEnd("\u{10FFFF}")).toBeNull();
});
