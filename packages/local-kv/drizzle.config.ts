import { defineConfig } from "drizzle-kit";

// The local KV API's own migrations: its tables only, recorded in their own table, so they apply to
// a database of their own as well as to one the app migrated (docs/decisions/011-local-kv-package.md).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
  migrations: { table: "__local_kv_migrations" },
});
