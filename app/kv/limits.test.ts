import { expect, test } from "vitest";
import { expirationProblem, expirationTtlProblem, keyNameProblem, metadataProblem } from "./limits";

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
