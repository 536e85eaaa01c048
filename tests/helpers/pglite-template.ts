// Vitest's global setup for kvdeck's tests: one migrated in-memory PGlite (kvdeck's migrations and
// the local KV tables), dumped once per run, which every test file's fresh database
// (tests/helpers/db.ts) loads instead of running initdb (the package's provideTemplate says why).
import { provideTemplate } from "@kvdeck/local-kv/testing/template";
import type { TestProject } from "vitest/node";
import { openDatabase } from "~/db/client.server";

export default function setup(project: TestProject): Promise<(() => void) | undefined> {
  return provideTemplate(project, "pgliteTemplate", async () => {
    const database = await openDatabase({});
    try {
      return await database.dumpDataDir!();
    } finally {
      await database.close();
    }
  });
}
