import { describe, expect, test } from "vitest";
import { ruleFromSearch } from "~/kv/key-filter";
import { compileRule } from "~/kv/key-rule";
import { EXPIRY_BOUNDS, EXPIRY_BUCKETS, expiryBucketFilter, type ExpiryBucket } from "./expiry-buckets";

const NOW_S = Date.UTC(2026, 11, 1, 12, 0, 7) / 1000; // not on a minute: the links keep seconds

/** The bucket as the overview counts it (app/catalog/stats.server.ts): `(lower, upper]` from now. */
function countedIn(expiration: number | undefined): ExpiryBucket {
  if (expiration === undefined) return "never";
  const ahead = expiration - NOW_S;
  if (ahead <= 0) return "expired";
  if (ahead <= EXPIRY_BOUNDS.hour) return "hour";
  if (ahead <= EXPIRY_BOUNDS.day) return "day";
  if (ahead <= EXPIRY_BOUNDS.week) return "week";
  if (ahead <= EXPIRY_BOUNDS.month) return "month";
  return "later";
}

describe("a bucket's link lists exactly the keys the bucket counted", () => {
  // Every bound, a second either side of it, and keys far away.
  const bounds = [0, ...Object.values(EXPIRY_BOUNDS)];
  const expirations = [undefined, NOW_S - 10 ** 6, NOW_S + 10 ** 8, ...bounds.flatMap((b) => [NOW_S + b - 1, NOW_S + b, NOW_S + b + 1])];

  for (const bucket of EXPIRY_BUCKETS) {
    test(bucket, () => {
      // The link is read the moment the figures were counted ("expired" is relative to the reading).
      const { rule, error } = ruleFromSearch(new URLSearchParams(expiryBucketFilter(bucket, NOW_S)), NOW_S * 1000 + 1000);
      expect(error).toBeNull();
      const listed = compileRule(rule);
      const keys = expirations.map((expiration) => ({ name: "k", expiration }));
      expect(keys.filter(listed).map((k) => k.expiration)).toEqual(
        keys.filter((k) => countedIn(k.expiration) === bucket).map((k) => k.expiration),
      );
    });
  }
});
