// The keys table's filter as URL search parameters, so a link carries it. The filter is a
// KeyRule: the prefix narrows the upstream listing, the rest is applied to each listed page.
import { keyRuleSchema, type KeyRule } from "./key-rule";

export const FILTER_PARAMS = ["prefix", "glob", "regex", "metaField", "metaOp", "metaValue"] as const;

export type FilterResult = { rule: KeyRule; error: null } | { rule: KeyRule; error: string };

export function ruleFromSearch(search: URLSearchParams): FilterResult {
  const get = (name: string) => search.get(name) || undefined;
  const field = get("metaField");
  const op = (get("metaOp") ?? "equals") as "equals" | "contains" | "exists";
  const candidate: KeyRule = {
    prefix: get("prefix"),
    glob: get("glob"),
    regex: get("regex"),
    metadata: field ? [{ field, op, value: op === "exists" ? undefined : (search.get("metaValue") ?? "") }] : undefined,
  };
  const parsed = keyRuleSchema.safeParse(candidate);
  if (parsed.success) return { rule: parsed.data, error: null };
  // Keep the prefix (always valid) and say what was wrong with the rest.
  return { rule: { prefix: candidate.prefix }, error: parsed.error.issues[0].message };
}

/** True when the filter needs more than the upstream's prefix listing. */
export const filtersBeyondPrefix = (rule: KeyRule) => Boolean(rule.glob || rule.regex || rule.metadata?.length || rule.expiringBefore !== undefined);

/** Only the filter parameters of a search, for links and fetches. */
export function filterSearch(search: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const name of FILTER_PARAMS) {
    const value = search.get(name);
    if (value) out.set(name, value);
  }
  return out;
}
