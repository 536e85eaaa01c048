// What an index job keeps as its listing ends, so the first look after it answers from the
// database: the overview at the detected delimiter, and the prefix tree's first level at that
// delimiter (app/catalog/figures.server.ts).
import type { Db } from "~/db/client.server";
import type { Catalog } from "~/db/schema";
import { prefixChildren } from "./prefixes.server";
import { catalogVersion, keepOverviewFigures } from "./stats.server";

export async function keepListingFigures(db: Db, catalog: Catalog): Promise<void> {
  const { delimiter } = await keepOverviewFigures(db, catalog);
  await prefixChildren(db, catalog.id, { prefix: "", delimiter, version: catalogVersion(catalog) });
}
