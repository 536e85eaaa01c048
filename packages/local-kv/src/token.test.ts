import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOCAL_TOKEN_FILE, loadOrCreateLocalToken } from "./token";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-token-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("loadOrCreateLocalToken", () => {
  it("creates a token file readable only by its owner, and returns the same token afterwards", () => {
    const dir = path.join(tempDir(), "nested", "data");
    const token = loadOrCreateLocalToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, LOCAL_TOKEN_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateLocalToken(dir)).toBe(token);
  });

  it("keeps a token someone put there, tightening loose permissions", () => {
    const dir = tempDir();
    const file = path.join(dir, LOCAL_TOKEN_FILE);
    fs.writeFileSync(file, "my-own-token-0123456789\n", { mode: 0o644 });
    expect(loadOrCreateLocalToken(dir)).toBe("my-own-token-0123456789");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("refuses a token file that holds no usable token rather than overwriting it", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCAL_TOKEN_FILE), "short");
    expect(() => loadOrCreateLocalToken(dir)).toThrow(/holds no usable token/);
  });
});
