import { expect, test } from "vitest";
import { expirationProblem, expirationTtlProblem, keyNameProblem, metadataProblem, storedKeyNameProblem } from "./limits";

test("key names: 1..512 UTF-8 bytes, not . or ..", () => {
  expect(keyNameProblem("a")).toBeNull();
  expect(keyNameProblem("é".repeat(256))).toBeNull(); // 512 bytes
  expect(keyNameProblem("é".repeat(256) + "a")).toMatch(/at most 512 bytes; this one is 513/);
  expect(keyNameProblem("")).toMatch(/empty/);
  expect(keyNameProblem(".")).toMatch(/"\."/);
  expect(keyNameProblem("..")).toMatch(/"\.\."/);
  expect(keyNameProblem("...")).toBeNull();
  expect(keyNameProblem("a\uD800b")).toMatch(/lone surrogate/);
  expect(keyNameProblem("😀")).toBeNull();
});

test("key names: control characters (Unicode Cc) are refused, spaces and other printable characters are not", () => {
  for (const c of ["\u0000", "\t", "\n", "\r", "\u001F", "\u007F", "\u0080", "\u0085", "\u009F"]) {
    expect(keyNameProblem(`a${c}b`), JSON.stringify(c)).toMatch(
      /cannot contain control characters; this one has U\+00[0-9A-F]{2} at position 1\./,
    );
  }
  expect(keyNameProblem("a\nb")).toMatch(/U\+000A at position 1/);
  for (const ok of [" ", "with space", "\u00A0", "\u00A1", "~", "\u2028x", "\uFFFD"])
    expect(keyNameProblem(ok), JSON.stringify(ok)).toBeNull();
  // Too long wins over the other problems, so the API's 10030 and its message agree.
  expect(keyNameProblem("\n".repeat(513))).toMatch(/at most 512 bytes/);
});

test("metadata: JSON of at most 1024 bytes", () => {
  expect(metadataProblem({ a: 1 })).toBeNull();
  expect(metadataProblem(undefined)).toBeNull();
  expect(metadataProblem({ s: "x".repeat(1016) })).toBeNull(); // {"s":"…"} = 1024 bytes
  expect(metadataProblem({ s: "x".repeat(1017) })).toMatch(/1025/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(metadataProblem(cyclic)).toMatch(/JSON/);
});

test("expirations lie at least 60 s ahead", () => {
  expect(expirationProblem(1060, 1000)).toBeNull();
  expect(expirationProblem(1059, 1000)).toMatch(/60 seconds/);
  expect(expirationProblem(1.5, 0)).toMatch(/whole number/);
  expect(expirationTtlProblem(60)).toBeNull();
  expect(expirationTtlProblem(59)).toMatch(/at least 60/);
});

test("expirations have an upper bound: the end of the year 9999, a TTL of 100 years", () => {
  expect(expirationProblem(253_402_300_799, 1000)).toBeNull();
  expect(expirationProblem(253_402_300_800, 1000)).toMatch(/at most 253402300799/);
  expect(expirationProblem(1e20, 1000)).toMatch(/at most/);
  expect(expirationTtlProblem(3_153_600_000)).toBeNull();
  expect(expirationTtlProblem(3_153_600_001)).toMatch(/at most 3153600000/);
  expect(expirationTtlProblem(1e20)).toMatch(/at most/);
});

test("a stored key may hold control characters (a Worker's binding writes them); a new one may not", () => {
  for (const name of ["line\nbreak", "tab\there", "del\u007F", "c1\u0085"]) {
    expect(storedKeyNameProblem(name)).toBeNull();
    expect(keyNameProblem(name)).toMatch(/cannot contain control characters/);
  }
  // What no stored key can be is refused by both.
  for (const name of ["", ".", "..", "a\uD800", "x".repeat(513)]) {
    expect(storedKeyNameProblem(name)).not.toBeNull();
    expect(keyNameProblem(name)).toBe(storedKeyNameProblem(name));
  }
});
