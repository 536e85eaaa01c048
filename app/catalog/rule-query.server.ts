// A KeyRule as conditions the catalog's database can check: a key range for the prefix (or a
// glob's literal start), metadata containment (`@>`, served by the GIN index) or top-level field
// presence (`?|`), and the expiration bounds. They select a superset of the rule's matches, never
// fewer: whatever SQL cannot say exactly (globs, regular expressions, `contains`, dotted fields,
// numbers compared as text) is left to compileRule (app/kv/key-rule.ts), which the caller applies
// to every row, so an answer from the catalog is exactly what compileRule keeps.
import { listPrefix } from "~/jobs/kinds/kind.server";
import type { KeyRule, MetadataCondition } from "~/kv/key-rule";

export interface CatalogMetadataQuery {
  /** The row passes when its metadata contains one of these documents... */
  containsAny?: unknown[];
  /** ...or has one of these top-level fields... */
  hasAnyTopField?: string[];
  /** ...or is an array (the field may name an index or `length`, which compileRule reads off an array). */
  orArray?: boolean;
}

export interface CatalogQuery {
  /** Only keys starting with this (a key range on the primary key). */
  prefix?: string;
  /** Only keys at or after this one in key order (a jump to a key). */
  from?: string;
  /** Each condition narrows; one without alternatives narrows nothing. */
  metadata: CatalogMetadataQuery[];
  expiringBefore?: number;
  /** Only keys expiring at or after this (epoch seconds). */
  expiringFrom?: number;
  noExpiry?: boolean;
}

export function catalogQuery(rule: KeyRule): CatalogQuery {
  const query: CatalogQuery = { metadata: [] };
  const prefix = listPrefix(rule);
  if (prefix) query.prefix = prefix;
  for (const condition of rule.metadata ?? []) query.metadata.push(metadataQuery(condition));
  if (rule.expiringBefore !== undefined) query.expiringBefore = rule.expiringBefore;
  if (rule.expiringFrom !== undefined) query.expiringFrom = rule.expiringFrom;
  if (rule.noExpiry) query.noExpiry = true;
  return query;
}

/**
 * compileRule reads a field as `path in record` first, then splits at the first dot and reads on
 * (so `a.b` is a field "a.b", or "b" inside "a"). Each way of cutting the path at its dots is one
 * place the value may be.
 */
export function segmentations(field: string): string[][] {
  const dot = field.indexOf(".");
  if (dot === -1) return [[field]];
  const rest = segmentations(field.slice(dot + 1)).map((tail) => [field.slice(0, dot), ...tail]);
  return [[field], ...rest];
}

/** A field every object has (compileRule's `in` sees the prototype): nothing can be ruled out in SQL. */
const inherited = (name: string) => name in Object.prototype;

function metadataQuery(condition: MetadataCondition): CatalogMetadataQuery {
  const paths = segmentations(condition.field);
  if (paths.some((path) => path.some(inherited))) return {};
  const firstFields = [...new Set(paths.map((path) => path[0]))];
  // An array's own fields are its indexes and `length`: only those can be read off an array.
  const orArray = firstFields.some((name) => name === "length" || /^(0|[1-9]\d*)$/.test(name)) ? { orArray: true } : {};
  // `contains`, `exists` and dotted fields (a step may go into an array, which containment would
  // not see): the value sits under one of the possible first fields.
  if (condition.op !== "equals" || paths.length > 1) return { hasAnyTopField: firstFields, ...orArray };
  // equals: compileRule compares String(value) (or a JSON text for objects) with the wanted text,
  // so the stored value is the text itself, or what it parses to as JSON (42, true, [..], {..}).
  const wanted = condition.value ?? "";
  const values: unknown[] = [wanted];
  try {
    const parsed: unknown = JSON.parse(wanted);
    if (typeof parsed !== "string" && parsed !== null) values.push(parsed);
  } catch {
    // not JSON: only the text itself
  }
  return { containsAny: values.map((value) => ({ [condition.field]: value })), ...orArray };
}
