// The Node shell (server/*.ts) reaches the app only through the Remix server build (server/build.ts),
// so each process runs one copy of every app module: no file here imports an app module, at run time
// or (but for build.ts's one type-only import of the shell's exports) at all.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

const SERVER_DIR = path.dirname(new URL(import.meta.url).pathname);
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsIn(text: string): { specifier: string; typeOnly: boolean }[] {
  return [
    ...[...text.matchAll(IMPORT)].map((m) => ({ specifier: m[2], typeOnly: Boolean(m[1]) })),
    ...[...text.matchAll(DYNAMIC_IMPORT)].map((m) => ({ specifier: m[1], typeOnly: false })),
  ];
}

/** npm packages, Node's modules, the workspace packages, and this directory's own files. */
function allowed(specifier: string): boolean {
  if (specifier.startsWith("./")) return !specifier.slice(2).includes("/");
  return !specifier.startsWith("../") && !specifier.startsWith("~/") && !specifier.startsWith("/");
}

const importsOf = (file: string) => importsIn(fs.readFileSync(file, "utf8"));

const shellFiles = fs
  .readdirSync(SERVER_DIR)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
  .map((name) => path.join(SERVER_DIR, name));

test("the shell's files import npm packages, @kvdeck packages and each other, never an app module", () => {
  expect(shellFiles.map((f) => path.basename(f))).toEqual(expect.arrayContaining(["build.ts", "http.ts", "index.ts", "worker.ts"]));
  const crossings = shellFiles.flatMap((file) =>
    importsOf(file)
      .filter(({ specifier, typeOnly }) => !allowed(specifier) && !(typeOnly && path.basename(file) === "build.ts"))
      .map(({ specifier }) => `${path.basename(file)} imports ${specifier}`),
  );
  expect(crossings).toEqual([]);
});

test("build.ts's one type-only import is the app's shell module, the build's entry exports", () => {
  const typeOnly = importsOf(path.join(SERVER_DIR, "build.ts")).filter(({ specifier }) => !allowed(specifier));
  expect(typeOnly).toEqual([{ specifier: "../app/server/shell.server", typeOnly: true }]);
});

test("the import scanner sees what a crossing looks like", () => {
  const crossing = 'import { parseEnv } from "~/utils/env.server";\nconst db = await import("../app/db/client.server");\n';
  expect(importsIn(crossing).filter(({ specifier }) => !allowed(specifier))).toHaveLength(2);
  expect(importsIn('import type { Env } from "../app/utils/env.server";')).toEqual([
    { specifier: "../app/utils/env.server", typeOnly: true },
  ]);
});
