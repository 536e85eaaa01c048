import { expect, test } from "vitest";
import { compareKeys } from "~/kv/key-order";
import { escapeJsonStrings, escapeKeyText, printableText, unescapeJsonStrings, unescapeKeyText } from "./key-text";

/** Every string of length 0..max over the alphabet. */
function allStrings(alphabet: string[], max: number): string[] {
  let level = [""];
  const out = [""];
  for (let n = 1; n <= max; n++) {
    level = level.flatMap((s) => alphabet.map((c) => s + c));
    out.push(...level);
  }
  return out;
}

const sign = (n: number) => Math.sign(n);

test("escaping keeps byte order (as COLLATE C compares), prefixes and round-trips, for every string of up to 4 characters", () => {
  // NUL, SOH, the character right after them, an ordinary one, a BMP one above the surrogates, an astral one.
  const strings = allStrings(["\u0000", "\u0001", "\u0002", "a", "\uffee", "😀"], 4);
  const escaped = strings.map(escapeKeyText);
  const bytes = strings.map((s) => Buffer.from(s, "utf8"));
  const escapedBytes = escaped.map((s) => Buffer.from(s, "utf8"));
  const wrong: string[] = [];
  for (let i = 0; i < strings.length; i++) {
    if (unescapeKeyText(escaped[i]) !== strings[i] || escaped[i].includes("\u0000")) wrong.push(`round trip ${JSON.stringify(strings[i])}`);
    for (let j = 0; j < strings.length; j++) {
      const order = sign(Buffer.compare(bytes[i], bytes[j]));
      if (sign(Buffer.compare(escapedBytes[i], escapedBytes[j])) !== order)
        wrong.push(`byte order ${JSON.stringify([strings[i], strings[j]])}`);
      if (sign(compareKeys(escaped[i], escaped[j])) !== order) wrong.push(`compareKeys ${JSON.stringify([strings[i], strings[j]])}`);
      if (escaped[j].startsWith(escaped[i]) !== strings[j].startsWith(strings[i]))
        wrong.push(`prefix ${JSON.stringify([strings[i], strings[j]])}`);
    }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
});

test("names without U+0000 or U+0001 are stored as they are; a lone U+0001 read back stays", () => {
  expect(escapeKeyText("cache/v1/é😀")).toBe("cache/v1/é😀");
  expect(escapeKeyText("a\u0000b\u0001c")).toBe("a\u0001\u0001b\u0001\u0002c");
  expect(unescapeKeyText("x\u0001y")).toBe("x\u0001y");
});

test("JSON values: every string and object key escaped and restored", () => {
  const value = { "k\u0000": ["a\u0000", 1, null, { n: "\u0001" }], plain: "x" };
  const stored = escapeJsonStrings(value);
  expect(JSON.stringify(stored)).not.toContain("\\u0000");
  expect(unescapeJsonStrings(stored)).toEqual(value);
});

test("texts for people show control characters instead of carrying them", () => {
  expect(printableText("bad \u0000 key\u001b[31m\nnext\tline")).toBe("bad \\u0000 key\\u001b[31m\nnext\tline");
});
