import { defineConfig } from "drizzle-kit";

// One schema and one migration folder serve PGlite and a PostgreSQL server alike.
export default defineConfig({
  dialect: "postgresql",
  schema: "./app/db/schema.ts",
  out: "./drizzle",
});
