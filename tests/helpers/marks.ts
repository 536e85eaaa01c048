// The marks the resource cache holds for one scope, read from its table: tests look at what the
// code under test wrote. (The dashboard itself only ever asks the cache for merges.)
import { asc, eq } from "drizzle-orm";
import { toOverlay } from "~/cache/rows";
import type { Overlay } from "~/cache/types";
import type { Db } from "~/db/client.server";
import { overlays } from "~/db/schema";

/** In key order: the column sorts by UTF-8 bytes (COLLATE "C"), and the escaping keeps that order. */
export async function listMarks<T>(db: Db, scope: string): Promise<Overlay<T>[]> {
  const rows = await db.select().from(overlays).where(eq(overlays.scope, scope)).orderBy(asc(overlays.resourceId));
  return rows.map((r) => toOverlay<T>(r));
}
