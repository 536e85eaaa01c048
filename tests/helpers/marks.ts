// The marks the resource cache holds for one scope, read from its table: tests look at what the
// code under test wrote. (The dashboard itself only ever asks the cache for merges.) And hand-made
// marks for the tests of the pure merge rules.
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

/** A mark as the cache hands one out, made by hand: the fields a test does not name are empty. */
export function markOf<T>(fields: Pick<Overlay<T>, "resourceId" | "intent" | "status"> & Partial<Overlay<T>>): Overlay<T> {
  return {
    scope: "acc/ns",
    opId: "op",
    data: null,
    expected: null,
    progress: null,
    stage: null,
    message: null,
    error: null,
    retryCount: 0,
    maxRetries: 0,
    createdAt: 0,
    updatedAt: 0,
    expiresAt: 1,
    ...fields,
  };
}
