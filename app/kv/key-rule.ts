// A rule that selects keys by what a listing shows: name (prefix, glob, regular expression),
// metadata fields and expiry. Used to filter the keys table, by rule overlays, and by purges.
// Shared by browser and server.
import { z } from "zod";

const MAX_PATTERN_CHARS = 512;

export const metadataConditionSchema = z.object({
  field: z.string().min(1, "Name a metadata field").max(200),
  op: z.enum(["equals", "contains", "exists"]),
  value: z.string().max(1024).optional(),
});

export const keyRuleSchema = z
  .object({
    prefix: z.string().max(MAX_PATTERN_CHARS).optional(),
    glob: z.string().max(MAX_PATTERN_CHARS).optional(),
    regex: z.string().max(MAX_PATTERN_CHARS).optional(),
    metadata: z.array(metadataConditionSchema).max(10).optional(),
    /** Keys whose expiration is before this time (epoch seconds); keys that never expire do not match. */
    expiringBefore: z.number().int().positive().optional(),
    /** Keys whose expiration is at or after this time (epoch seconds); keys that never expire do not match. */
    expiringFrom: z.number().int().positive().optional(),
    /** Only keys that never expire. */
    noExpiry: z.literal(true).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.noExpiry && (rule.expiringBefore !== undefined || rule.expiringFrom !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["noExpiry"], message: "A key cannot both expire at a time and never expire: choose one." });
    }
    if (rule.expiringFrom !== undefined && rule.expiringBefore !== undefined && rule.expiringFrom >= rule.expiringBefore) {
      ctx.addIssue({ code: "custom", path: ["expiringFrom"], message: "The start of the expiry range must be before its end." });
    }
    if (rule.regex !== undefined) {
      try {
        new RegExp(rule.regex, "u");
      } catch (error) {
        ctx.addIssue({ code: "custom", path: ["regex"], message: `Not a valid regular expression: ${(error as Error).message}` });
      }
    }
    for (const [i, c] of (rule.metadata ?? []).entries()) {
      if (c.op !== "exists" && c.value === undefined)
        ctx.addIssue({ code: "custom", path: ["metadata", i, "value"], message: "Give a value to compare with" });
    }
  });

export type KeyRule = z.infer<typeof keyRuleSchema>;
export type MetadataCondition = z.infer<typeof metadataConditionSchema>;

export interface ListedKey {
  name: string;
  expiration?: number;
  metadata?: unknown;
}

/** True when the rule selects every key (no condition at all). */
export const isEmptyRule = (rule: KeyRule) =>
  !rule.prefix &&
  !rule.glob &&
  !rule.regex &&
  !(rule.metadata?.length ?? 0) &&
  rule.expiringBefore === undefined &&
  rule.expiringFrom === undefined &&
  !rule.noExpiry;

/** The rule as one predicate. Conditions are AND-ed. */
export function compileRule(rule: KeyRule): (key: ListedKey) => boolean {
  const tests: ((key: ListedKey) => boolean)[] = [];
  if (rule.prefix) tests.push((k) => k.name.startsWith(rule.prefix!));
  if (rule.glob) {
    const glob = globToRegExp(rule.glob);
    tests.push((k) => glob.test(k.name));
  }
  if (rule.regex) {
    const regex = new RegExp(rule.regex, "u");
    tests.push((k) => regex.test(k.name));
  }
  for (const condition of rule.metadata ?? []) tests.push((k) => metadataMatches(k.metadata, condition));
  if (rule.expiringBefore !== undefined) tests.push((k) => k.expiration != null && k.expiration < rule.expiringBefore!);
  if (rule.expiringFrom !== undefined) tests.push((k) => k.expiration != null && k.expiration >= rule.expiringFrom!);
  if (rule.noExpiry) tests.push((k) => k.expiration == null);
  return (key) => tests.every((t) => t(key));
}

/** `*` any run of characters, `?` one character, `[abc]` a class; everything else literal. Whole-name match. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end === -1) source += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
        source += body.startsWith("!") ? `[^${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "su");
}

function metadataMatches(metadata: unknown, condition: MetadataCondition): boolean {
  const found = readPath(metadata, condition.field);
  if (condition.op === "exists") return found !== undefined;
  if (found === undefined || found === null) return false;
  const wanted = condition.value ?? "";
  if (condition.op === "equals") return typeof found === "object" ? JSON.stringify(found) === wanted : String(found) === wanted;
  if (Array.isArray(found)) return found.some((item) => (typeof item === "object" ? JSON.stringify(item) : String(item)) === wanted);
  return (typeof found === "object" ? JSON.stringify(found) : String(found)).includes(wanted);
}

/** Reads `a.b.c` from nested objects; a field whose name itself contains a dot is found too. */
function readPath(value: unknown, path: string): unknown {
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  if (path in record) return record[path];
  const dot = path.indexOf(".");
  if (dot === -1) return undefined;
  return readPath(record[path.slice(0, dot)], path.slice(dot + 1));
}

/** A short description for people: `prefix "a/" and cache-tag = blog`. */
export function describeRule(rule: KeyRule): string {
  const parts: string[] = [];
  if (rule.prefix) parts.push(`prefix “${rule.prefix}”`);
  if (rule.glob) parts.push(`name matches “${rule.glob}”`);
  if (rule.regex) parts.push(`name matches /${rule.regex}/`);
  for (const c of rule.metadata ?? []) {
    parts.push(
      c.op === "exists" ? `metadata “${c.field}” exists` : `metadata “${c.field}” ${c.op === "equals" ? "=" : "contains"} “${c.value}”`,
    );
  }
  if (rule.expiringFrom !== undefined) parts.push(`expiring at or after ${new Date(rule.expiringFrom * 1000).toISOString()}`);
  if (rule.expiringBefore !== undefined) parts.push(`expiring before ${new Date(rule.expiringBefore * 1000).toISOString()}`);
  if (rule.noExpiry) parts.push("never expiring");
  return parts.length ? parts.join(" and ") : "every key";
}
