// Vitest's global setup for the package's tests: one in-memory PGlite with the local KV tables,
// dumped to a file once per run, which every test file's fresh database (./database.ts) loads
// instead of making its own: a new PGlite runs initdb, seconds of CPU, where loading the dump takes
// well under one. The PostgreSQL pass (KVDECK_TEST_DATABASE_URL) makes its databases on the server.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateLocalKv } from "../../src/database";

declare module "vitest" {
  export interface ProvidedContext {
    /** The dump's path; unset on the PostgreSQL pass. */
    localKvPgliteTemplate?: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.KVDECK_TEST_DATABASE_URL) return undefined;
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvdeck-local-kv-template-"));
  const file = path.join(dir, "migrated.tar");
  const client = await PGlite.create();
  try {
    await migrateLocalKv(drizzle(client));
    fs.writeFileSync(file, Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
  } finally {
    await client.close();
  }
  project.provide("localKvPgliteTemplate", file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
