import { expect, test } from "vitest";
import { escapeInvisibles, visibleSegments } from "./format";

test("bidi controls, C0/C1 controls, zero-width and other invisible characters become visible escapes", () => {
  expect(escapeInvisibles("abc\u202Edef.txt")).toBe("abc\\u202Edef.txt");
  for (const c of ["\u202A", "\u202B", "\u202C", "\u202D", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"]) {
    expect(escapeInvisibles(`a${c}b`)).toBe(`a\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}b`);
  }
  expect(escapeInvisibles("a\u0000b\u001Fc\u007Fd\u0085e\u009Ff")).toBe("a\\u0000b\\u001Fc\\u007Fd\\u0085e\\u009Ff");
  expect(escapeInvisibles("line\nbreak\ttab\r")).toBe("line\\nbreak\\ttab\\r");
  expect(escapeInvisibles("zero\u200Bwidth\u200Cnon\u2060joiner\uFEFFbom\u00ADsoft")).toBe(
    "zero\\u200Bwidth\\u200Cnon\\u2060joiner\\uFEFFbom\\u00ADsoft",
  );
  expect(escapeInvisibles("no\u00A0break\u3000wide\u2028sep")).toBe("no\\u00A0break\\u3000wide\\u2028sep");
  expect(escapeInvisibles("tag\u{E0041}")).toBe("tag\\u{E0041}");
  expect(escapeInvisibles("lone\uD800")).toBe("lone\\uD800");
});

test("ordinary text, plain spaces and emoji stay as they are", () => {
  for (const s of ["https://shop.example.com/blog/0000001-c4ca42", "naïve café", "日本語 キー", "עברית", "👩‍💻 dev", "👍🏽", "❤️"]) {
    expect(escapeInvisibles(s)).toBe(s);
  }
  expect(escapeInvisibles("a\u200Db")).toBe("a\\u200Db"); // a joiner outside an emoji sequence is hidden text
});

test("segments keep logical order and mark each escape", () => {
  expect(visibleSegments("abc\u202Edef")).toEqual([
    { text: "abc", escaped: false },
    { text: "\\u202E", escaped: true },
    { text: "def", escaped: false },
  ]);
  expect(visibleSegments("\u200F\u200F")).toEqual([
    { text: "\\u200F", escaped: true },
    { text: "\\u200F", escaped: true },
  ]);
  expect(visibleSegments("")).toEqual([]);
});
