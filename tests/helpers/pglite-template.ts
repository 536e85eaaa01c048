// Vitest's global setup for kvdeck's tests: one migrated in-memory PGlite, dumped to a file once
// per run, which every test file's fresh database (tests/helpers/db.ts) loads instead of making
// its own. A new PGlite runs initdb, seconds of CPU (measured here: 4–7 s on a loaded machine
// against under 1 s to load the dump), and a run opens dozens. The PostgreSQL pass
// (KVDECK_TEST_DATABASE_URL) makes its databases on the server and needs none.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "~/db/client.server";

declare module "vitest" {
  export interface ProvidedContext {
    /** The dump's path; unset on the PostgreSQL pass. */
    pgliteTemplate?: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.KVDECK_TEST_DATABASE_URL) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-test-template-"));
  const file = path.join(dir, "migrated.tar");
  const database = await openDatabase({});
  try {
    fs.writeFileSync(file, Buffer.from(await (await database.dumpDataDir!()).arrayBuffer()));
  } finally {
    await database.close();
  }
  project.provide("pgliteTemplate", file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
