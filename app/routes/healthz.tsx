// Liveness and readiness: the database answers.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { getServices } from "~/context.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const { database } = getServices(context);
  await database.db.execute(sql`select 1`);
  return Response.json({ ok: true, database: database.kind }, { headers: { "Cache-Control": "no-store" } });
}
