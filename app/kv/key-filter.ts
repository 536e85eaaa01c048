// The keys table's filter as URL search parameters, so a link carries it. The filter is a
// KeyRule: the prefix narrows the upstream listing, the rest is applied to each listed page.
//
// Expiry: `expiry=before&expiresBefore=2026-12-31T18:00` (UTC; a time zone may be given),
// `expiry=from&expiresFrom=…` (at or after), `expiry=between&expiresFrom=…&expiresBefore=…` (from
// inclusive, before exclusive), `expiry=expired` (expiring before the moment the filter is read, i.e. already expired) or
// `expiry=never` (keys without an expiration).
import { keyRuleSchema, type KeyRule } from "./key-rule";

export const FILTER_PARAMS = [
  "prefix",
  "glob",
  "regex",
  "metaField",
  "metaOp",
  "metaValue",
  "expiry",
  "expiresFrom",
  "expiresBefore",
] as const;

export const EXPIRY_FILTERS = ["before", "from", "between", "expired", "never"] as const;
export type ExpiryFilter = (typeof EXPIRY_FILTERS)[number];

export type FilterResult = { rule: KeyRule; error: null } | { rule: KeyRule; error: string };

export function ruleFromSearch(search: URLSearchParams, nowMs = Date.now()): FilterResult {
  const get = (name: string) => search.get(name) || undefined;
  const field = get("metaField");
  const op = (get("metaOp") ?? "equals") as "equals" | "contains" | "exists";
  const candidate: KeyRule = {
    prefix: get("prefix"),
    glob: get("glob"),
    regex: get("regex"),
    metadata: field ? [{ field, op, value: op === "exists" ? undefined : (search.get("metaValue") ?? "") }] : undefined,
  };
  const expiry = expiryFromSearch(search, nowMs);
  if ("error" in expiry) return { rule: { prefix: candidate.prefix }, error: expiry.error };
  Object.assign(candidate, expiry.rule);
  const parsed = keyRuleSchema.safeParse(candidate);
  if (parsed.success) return { rule: parsed.data, error: null };
  // Keep the prefix (always valid) and say what was wrong with the rest.
  return { rule: { prefix: candidate.prefix }, error: parsed.error.issues[0].message };
}

function expiryFromSearch(
  search: URLSearchParams,
  nowMs: number,
): { rule: Pick<KeyRule, "expiringBefore" | "expiringFrom" | "noExpiry"> } | { error: string } {
  const expiry = search.get("expiry") || undefined;
  if (expiry === undefined) return { rule: {} };
  if (expiry === "never") return { rule: { noExpiry: true } };
  if (expiry === "expired") return { rule: { expiringBefore: Math.floor(nowMs / 1000) } };
  if (expiry === "before") {
    const before = timeParam(search, "expiresBefore", "expiring before");
    return "error" in before ? before : { rule: { expiringBefore: before.seconds } };
  }
  if (expiry === "from") {
    const from = timeParam(search, "expiresFrom", "expiring from");
    return "error" in from ? from : { rule: { expiringFrom: from.seconds } };
  }
  if (expiry === "between") {
    const from = timeParam(search, "expiresFrom", "expiring from");
    if ("error" in from) return from;
    const before = timeParam(search, "expiresBefore", "expiring before");
    return "error" in before ? before : { rule: { expiringFrom: from.seconds, expiringBefore: before.seconds } };
  }
  return { error: `Unknown expiry filter “${expiry}”: use ${EXPIRY_FILTERS.join(", ")}.` };
}

function timeParam(search: URLSearchParams, name: string, label: string): { seconds: number } | { error: string } {
  const text = search.get(name)?.trim();
  if (!text) return { error: `Give the time for “${label}”.` };
  const seconds = parseUtcTime(text);
  if (seconds === null) return { error: `“${text}” is not a time: write it as 2026-12-31T18:00 (UTC).` };
  return { seconds };
}

/** `2026-12-31`, `2026-12-31T18:00`, `…:30` or a full ISO time; without a zone, UTC. Epoch seconds, or null. */
export function parseUtcTime(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!match) return null;
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4] ?? "00"}:${match[5] ?? "00"}:${match[6] ?? "00"}${match[7] ?? "Z"}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  // Refuse days that do not exist (2026-02-31) rather than roll them over into the next month.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  const seconds = Math.floor(ms / 1000);
  return seconds > 0 ? seconds : null;
}

/** The `datetime-local` value (UTC) for epoch seconds: `2026-12-31T18:00`, with `:30` when not on a minute. */
export const utcInputValue = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, seconds % 60 ? 19 : 16);

/** The expiry choice the URL names, or null (none, or one that is not a choice). */
export function expiryChoice(search: URLSearchParams): ExpiryFilter | null {
  const expiry = search.get("expiry");
  return EXPIRY_FILTERS.find((choice) => choice === expiry) ?? null;
}

/** True when the filter needs more than the upstream's prefix listing. */
export const filtersBeyondPrefix = (rule: KeyRule) =>
  Boolean(
    rule.glob ||
    rule.regex ||
    rule.metadata?.length ||
    rule.expiringBefore !== undefined ||
    rule.expiringFrom !== undefined ||
    rule.noExpiry,
  );

/** Only the filter parameters of a search, for links and fetches. */
export function filterSearch(search: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const name of FILTER_PARAMS) {
    const value = search.get(name);
    if (value) out.set(name, value);
  }
  // The times only mean something with the choices that read them.
  const expiry = out.get("expiry");
  if (expiry !== "before" && expiry !== "between") out.delete("expiresBefore");
  if (expiry !== "from" && expiry !== "between") out.delete("expiresFrom");
  if (liveSource(search)) out.set("source", "live");
  // Where the table starts (a jump) stays with it: opening a key keeps the rows in view.
  const from = startKey(search);
  if (from) out.set("from", from);
  return out;
}

/** The longest `from` a jump takes (a key name is at most 512 bytes). */
const MAX_START_KEY_CHARS = 512;

/** `from=<key>`: start the table at this key (namespaces with a catalog); null when not asked or too long to be a key. */
export function startKey(search: URLSearchParams): string | null {
  const from = search.get("from");
  return from && from.length <= MAX_START_KEY_CHARS ? from : null;
}

/** `source=live`: answer from the upstream even when the namespace has a catalog ("Verify live"). */
export const liveSource = (search: URLSearchParams) => search.get("source") === "live";
