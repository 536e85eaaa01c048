// Searching a namespace from its catalog: the rule's SQL conditions (rule-query.server.ts) narrow
// the rows in the database, compileRule (app/kv/key-rule.ts) decides on each, so the answer is
// exactly the keys compileRule keeps, with no upstream request. An answer reads on in key order
// until it has some matches or has looked at a bounded number of rows, and says where it stopped.
import type { Catalog } from "~/db/schema";
import { type KeyRule, compileRule } from "~/kv/key-rule";
import { catalogQuery } from "./rule-query.server";
import type { CatalogEntry, CatalogStore } from "./store.server";

/** A keys-table cursor that continues an answer from the catalog: this, then the last key looked at. */
export const CATALOG_CURSOR = "catalog:";

export interface CatalogAnswer {
  keys: CatalogEntry[];
  /** The last key looked at (the next answer's lower bound), or the `after` given when none was. */
  last: string | null;
  /** True when nothing after `last` can match. */
  done: boolean;
  /** Rows the database handed over for this answer. */
  examined: number;
}

const CHUNK = 1_000;

export async function searchCatalog(
  store: CatalogStore,
  catalog: Pick<Catalog, "id">,
  rule: KeyRule,
  after: string | null,
  {
    targetMatches = 100,
    maxExamined = 50_000,
    from,
  }: { targetMatches?: number; maxExamined?: number; /** Start at this key (inclusive). */ from?: string } = {},
): Promise<CatalogAnswer> {
  const query = from === undefined ? catalogQuery(rule) : { ...catalogQuery(rule), from };
  const matches = compileRule(rule);
  const answer: CatalogAnswer = { keys: [], last: after, done: false, examined: 0 };
  while (answer.keys.length < targetMatches && answer.examined < maxExamined) {
    const rows = await store.scanKeys(catalog.id, query, answer.last, CHUNK);
    answer.examined += rows.length;
    for (const row of rows) if (matches(row)) answer.keys.push(row);
    if (rows.length) answer.last = rows[rows.length - 1].name;
    if (rows.length < CHUNK) {
      answer.done = true;
      break;
    }
  }
  return answer;
}
