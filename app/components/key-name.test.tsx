// KeyName and VisibleText as server-rendered HTML: escapes are visible tokens, the raw characters never reach the page.
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { visibleSegments } from "~/utils/format";
import { KeyName, VisibleText, splitTail } from "./key-name";

const text = (html: string) =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

test("a U+202E in a name renders as a visible escape token, never as the raw character", () => {
  const html = renderToStaticMarkup(<KeyName name={"abc\u202Edef.txt"} />);
  expect(html).not.toContain("\u202E");
  expect(text(html)).toBe("abc\\u202Edef.txt");
  expect(html).toMatch(/<span[^>]*data-escape=""[^>]*>\\u202E<\/span>/);
  expect(renderToStaticMarkup(<VisibleText text={"Saved a\u0000b"} />)).not.toContain("\u0000");
  expect(renderToStaticMarkup(<VisibleText text="plain" />)).toBe("plain");
});

test("middle truncation keeps the end of the name whole, and the full name as the title", () => {
  const name = "https://shop.example.com/blog/0000123-abc123";
  const html = renderToStaticMarkup(<KeyName name={name} truncate="middle" />);
  expect(html).toContain(`title="${name}"`);
  expect(html).toContain(">0000123-abc123</span>");
  expect(text(html)).toBe(name);
});

test("splitTail counts an escape as one character and never splits a surrogate pair", () => {
  const [head, tail] = splitTail(visibleSegments("ab\u202Ecd😀"), 3);
  expect(head).toEqual([
    { text: "ab", escaped: false },
    { text: "\\u202E", escaped: true },
  ]);
  expect(tail).toEqual([{ text: "cd😀", escaped: false }]);
  const [h2, t2] = splitTail(visibleSegments("ab\u202Ecd😀"), 4);
  expect(h2.map((s) => s.text).join("")).toBe("ab");
  expect(t2).toEqual([
    { text: "\\u202E", escaped: true },
    { text: "cd😀", escaped: false },
  ]);
});
