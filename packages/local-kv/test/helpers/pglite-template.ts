// Migrated PGlite templates for test runs: a vitest global setup makes one in-memory database with
// the tables its tests need, dumps it to a file once per run and provides the file's path; every
// test file's fresh database then loads it instead of making its own. A new PGlite runs initdb,
// seconds of CPU (measured here: 4–7 s on a loaded machine), where loading the dump takes under
// one. The PostgreSQL pass (KVDECK_TEST_DATABASE_URL) makes its databases on the server and needs
// none. The package's own setup is the default export; kvdeck's (tests/helpers/pglite-template.ts)
// calls provideTemplate with its own migrations (through `@kvdeck/local-kv/testing/template`: a
// global setup runs outside vitest's workers and must not import vitest itself, which the rest of
// the testing helpers do). Test files load a template with loadTemplate (./database.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateLocalKv } from "../../src/database";

declare module "vitest" {
  export interface ProvidedContext {
    /** The package's template (the local KV tables); unset on the PostgreSQL pass. */
    localKvPgliteTemplate?: string;
    /** kvdeck's template (its migrations and the local KV tables); unset on the PostgreSQL pass. */
    pgliteTemplate?: string;
  }
}

export type TemplateName = "localKvPgliteTemplate" | "pgliteTemplate";

/** Writes `dump()`'s tarball to a temporary file and provides its path as `name`; returns the cleanup. */
export async function provideTemplate(
  project: TestProject,
  name: TemplateName,
  dump: () => Promise<Blob>,
): Promise<(() => void) | undefined> {
  if (process.env.KVDECK_TEST_DATABASE_URL) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-test-template-"));
  const file = path.join(dir, "migrated.tar");
  fs.writeFileSync(file, Buffer.from(await (await dump()).arrayBuffer()));
  project.provide(name, file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

export default function setup(project: TestProject): Promise<(() => void) | undefined> {
  return provideTemplate(project, "localKvPgliteTemplate", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const client = await PGlite.create();
    try {
      await migrateLocalKv(drizzle(client));
      return await client.dumpDataDir("none");
    } finally {
      await client.close();
    }
  });
}
