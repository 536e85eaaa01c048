import { describe, expect, test } from "vitest";
import { contentDisposition, hexDump, previewOf, safeFileName } from "./keys.server";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("previewOf", () => {
  test("pretty-prints JSON", () => {
    expect(previewOf(bytes('{"a":1,"b":[true]}'), false)).toEqual({
      kind: "json",
      text: '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}',
      raw: '{"a":1,"b":[true]}',
    });
  });
  test("shows text that is not JSON as it is", () => {
    expect(previewOf(bytes("<p>hello</p>"), false)).toEqual({ kind: "text", text: "<p>hello</p>" });
  });
  test("does not try to parse a truncated JSON value", () => {
    expect(previewOf(bytes('{"a":'), true)).toEqual({ kind: "text", text: '{"a":' });
  });
  test("keeps a truncated text whose last character was cut", () => {
    const cut = bytes("price: 5€").subarray(0, bytes("price: 5€").length - 1);
    expect(previewOf(cut, true)).toEqual({ kind: "text", text: "price: 5" });
  });
  test("invalid UTF-8 is binary", () => {
    const preview = previewOf(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]), false);
    expect(preview.kind).toBe("binary");
  });
  test("valid UTF-8 with NUL bytes is binary", () => {
    expect(previewOf(new Uint8Array([0x61, 0x00, 0x62]), false).kind).toBe("binary");
  });
});

test("hexDump shows offset, 16 bytes and their printable characters", () => {
  const dump = hexDump(new Uint8Array([...bytes("ABCDEFGHIJKLMNOP"), 0x00, 0x7f]));
  expect(dump.split("\n")).toEqual([
    "00000000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP",
    "00000010  00 7f                                            ..",
  ]);
});

describe("download names", () => {
  test("use the last path segment, cleaned", () => {
    expect(safeFileName("img/thumb-0001.png")).toBe("thumb-0001.png");
    expect(safeFileName("https://shop.example.com/blog/0001-abc")).toBe("0001-abc");
    expect(safeFileName('../../etc/passwd"; x')).toBe("passwd_x");
    expect(safeFileName("<img src=x onerror=alert(1)>")).toBe("_img_src_x_onerror_alert_1_");
    expect(safeFileName("...")).toBe("value");
  });
  test("Content-Disposition carries an ASCII fallback and the UTF-8 name", () => {
    expect(contentDisposition("日本語.json")).toBe(`attachment; filename="___.json"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.json`);
  });
});
