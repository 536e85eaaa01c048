// A catalog's kept figures (the table catalog_figures): what an overview or a prefix tree computed
// in a full pass over the catalog's keys, with the catalog version it describes (catalogVersion in
// app/catalog/stats.server.ts), so the next look, in this process or another, after a restart too,
// reads them instead of paying the pass again. An index job writes the overview's at the end of
// its listing. Rows go with their catalog (on delete cascade). Strings are stored escaped like key
// names (~/db/key-text: jsonb holds no U+0000).
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { escapeJsonStrings, escapeKeyText, unescapeJsonStrings, unescapeKeyText } from "~/db/key-text";
import { catalogFigures, type CATALOG_FIGURE_SUBJECTS } from "~/db/schema";

export type FigureSubject = (typeof CATALOG_FIGURE_SUBJECTS)[number];

export interface KeptFigures<T> {
  /** The catalog version the figures describe. */
  version: string;
  body: T;
  /** When their computation began (ms). */
  computedAt: number;
}

export async function readFigures<T>(db: Db, catalogId: number, subject: FigureSubject, delimiter: string): Promise<KeptFigures<T> | null> {
  const [row] = await db
    .select()
    .from(catalogFigures)
    .where(
      and(
        eq(catalogFigures.catalogId, catalogId),
        eq(catalogFigures.subject, subject),
        eq(catalogFigures.delimiter, escapeKeyText(delimiter)),
      ),
    );
  return row ? { version: row.version, body: unescapeJsonStrings(row.body) as T, computedAt: row.computedAt.getTime() } : null;
}

/**
 * Keeps figures unless newer ones are kept already (two computations of the same figures may end
 * in either order: the one that began last wins). A catalog removed meanwhile keeps nothing.
 */
export async function writeFigures<T>(db: Db, catalogId: number, subject: FigureSubject, delimiter: string, kept: KeptFigures<T>) {
  const body = JSON.stringify(escapeJsonStrings(kept.body));
  await db.execute(sql`
    insert into catalog_figures (catalog_id, subject, delimiter, version, body, computed_at)
    select ${catalogId}, ${subject}, ${escapeKeyText(delimiter)}, ${kept.version}, ${body}::jsonb, ${new Date(kept.computedAt).toISOString()}::timestamptz
    where exists (select 1 from catalogs where id = ${catalogId})
    on conflict (catalog_id, subject, delimiter) do update
      set version = excluded.version, body = excluded.body, computed_at = excluded.computed_at
      where catalog_figures.computed_at <= excluded.computed_at`);
}

/** The delimiter the kept overview detected ("auto"), or null before a first overview was kept. */
export async function detectedDelimiter(db: Db, catalogId: number): Promise<string | null> {
  const [row] = await db
    .select({ delimiter: sql<string | null>`${catalogFigures.body}->>'delimiter'` })
    .from(catalogFigures)
    .where(and(eq(catalogFigures.catalogId, catalogId), eq(catalogFigures.subject, "overview"), eq(catalogFigures.delimiter, "auto")));
  return row?.delimiter ? unescapeKeyText(row.delimiter) : null;
}

/** Forgets every kept figure (tests and the bench measure the full cost). */
export async function forgetFigures(db: Db) {
  await db.delete(catalogFigures);
}
