import { describe, expect, it } from "vitest";
import { csvField, csvRow } from "./csv";
import { outcomeOf, redactSecrets } from "./audit.server";

describe("CSV", () => {
  it("quotes only what needs it and doubles quotes", () => {
    expect(csvRow(["plain", 3, null, undefined, true])).toBe("plain,3,,,true\r\n");
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField("a\rb")).toBe('"a\rb"');
    expect(csvField(new Date(Date.UTC(2030, 0, 2, 3, 4, 5)))).toBe("2030-01-02T03:04:05.000Z");
    expect(csvField({ ip: "::1", n: [1, 2] })).toBe('"{""ip"":""::1"",""n"":[1,2]}"');
  });

  it("defuses cells a spreadsheet would run as a formula", () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-2")).toBe("'-2");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField(-2)).toBe("-2");
  });

  it("defuses a formula after leading whitespace, full-width formula signs, and leading tab or CR", () => {
    expect(csvField(" =1+1")).toBe("' =1+1");
    expect(csvField("   @SUM(A1)")).toBe("'   @SUM(A1)");
    expect(csvField("\u00a0\u3000+cmd")).toBe("'\u00a0\u3000+cmd");
    expect(csvField("\n=HYPERLINK(1)")).toBe('"\'\n=HYPERLINK(1)"');
    expect(csvField(" \t-1")).toBe("' \t-1");
    for (const sign of ["＝", "＋", "－", "＠"]) expect(csvField(`${sign}1`)).toBe(`'${sign}1`);
    expect(csvField("  ＝SUM(A1)")).toBe("'  ＝SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField("\rx")).toBe('"\'\rx"');
    // Ordinary text, including whitespace before a letter and signs inside a cell, stays as it is.
    expect(csvField("  plain")).toBe("  plain");
    expect(csvField("a=b+c")).toBe("a=b+c");
    expect(csvField("user@example.com")).toBe("user@example.com");
  });
});

describe("audit details", () => {
  it("replace anything that looks like a secret, at any depth", () => {
    expect(redactSecrets({ apiToken: "x", nested: { password: "y", list: [{ Authorization: "z", ok: 1 }] }, name: "n" })).toEqual({
      apiToken: "[redacted]",
      nested: { password: "[redacted]", list: [{ Authorization: "[redacted]", ok: 1 }] },
      name: "n",
    });
  });

  it("name the outcome from the counts", () => {
    expect(outcomeOf(3, 0)).toBe("ok");
    expect(outcomeOf(2, 1)).toBe("partial");
    expect(outcomeOf(0, 4)).toBe("failed");
  });
});
