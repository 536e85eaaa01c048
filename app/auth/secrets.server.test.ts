import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { createSecretBox, loadSecretKey } from "./secrets.server";

test("sealed secrets open with the same key only, and never contain the plaintext", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-secrets-"));
  const box = createSecretBox(loadSecretKey(dir));
  const sealed = box.seal("cf-token-abc123");
  expect(sealed).not.toContain("cf-token-abc123");
  expect(box.open(sealed)).toBe("cf-token-abc123");
  expect(box.seal("same")).not.toBe(box.seal("same")); // fresh IV each time

  const other = createSecretBox(loadSecretKey(fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-secrets-"))));
  expect(() => other.open(sealed)).toThrow();
  const tampered = sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA");
  expect(() => box.open(tampered)).toThrow();
});

test("the generated key file is private and reused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-secrets-"));
  const first = loadSecretKey(dir);
  expect(fs.statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
  expect(loadSecretKey(dir).equals(first)).toBe(true);
  expect(loadSecretKey(dir, "a passphrase").equals(first)).toBe(false);
  expect(loadSecretKey(dir, "00".repeat(32))).toHaveLength(32);
});
