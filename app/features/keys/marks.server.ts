// What a key's mark means for Workers KV: when a listing confirms a key change, when a purge's rule
// hides a key, and the digest that confirms a value change a listing cannot show.
import crypto from "node:crypto";
import type { KeysDone, Overlay, RuleOverlay, WithMeta } from "~/cache/types";
import { compareKeys } from "~/kv/key-order";
import { compileRule, type KeyRule } from "~/kv/key-rule";
import type { KeyInfo } from "~/kv/upstream.server";

/** The upstream computes an expiry from a TTL at its own clock: allow for the difference. */
const EXPIRATION_TOLERANCE_SECONDS = 5;

export type KeyRow = WithMeta<KeyInfo>;

export const digestOf = (bytes: Uint8Array | string) => crypto.createHash("sha256").update(bytes).digest("base64url");

export function keyConfirms(listed: KeyInfo, overlay: Overlay<KeyInfo>): boolean {
  const expected = overlay.expected;
  if (!expected) return true;
  if (expected.metadata !== undefined && canonical(listed.metadata ?? null) !== canonical(expected.metadata)) return false;
  if (expected.expiration !== undefined) {
    if (expected.expiration === null) return listed.expiration === undefined;
    if (listed.expiration === undefined || Math.abs(listed.expiration - expected.expiration) > EXPIRATION_TOLERANCE_SECONDS) return false;
  }
  return true;
}

const ruleCache = new WeakMap<RuleOverlay<KeyRule>, (k: KeyInfo) => boolean>();
/** The rule matches the key; a narrowed rule (its operation stopped) only among the keys it is done with. */
export function keyMatchesRule(key: KeyInfo, rule: RuleOverlay<KeyRule>): boolean {
  let test = ruleCache.get(rule);
  if (!test) {
    test = compileRule(rule.rule);
    ruleCache.set(rule, test);
  }
  return test(key) && (!rule.done || isDone(key.name, rule.done));
}

function isDone(name: string, done: KeysDone): boolean {
  if (done.through !== null && compareKeys(name, done.through) <= 0) return true;
  return done.ranges.some(([first, last]) => compareKeys(name, first) >= 0 && compareKeys(name, last) <= 0);
}

/** Canonical JSON (sorted object keys) so equal metadata compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
