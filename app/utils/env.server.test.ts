// The environment is read in one place: env.server.ts parses it, everything else gets the parsed Env.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { parseEnv } from "./env.server";

const APP = path.resolve(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

test("no app module but env.server.ts reads process.env", () => {
  const readers = sourceFiles(APP)
    .filter((file) => /\bprocess\.env\b/.test(fs.readFileSync(file, "utf8")))
    .map((file) => path.relative(APP, file));
  expect(readers).toEqual([path.join("utils", "env.server.ts")]);
});

test("KVDECK_MIGRATIONS_DIR is optional and, when set, not empty", () => {
  expect(parseEnv({}).KVDECK_MIGRATIONS_DIR).toBeUndefined();
  expect(parseEnv({ KVDECK_MIGRATIONS_DIR: "/srv/kvdeck/drizzle" }).KVDECK_MIGRATIONS_DIR).toBe("/srv/kvdeck/drizzle");
  expect(() => parseEnv({ KVDECK_MIGRATIONS_DIR: "" })).toThrow(/KVDECK_MIGRATIONS_DIR/);
});
