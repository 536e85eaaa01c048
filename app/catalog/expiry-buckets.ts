// The overview's expiry histogram buckets (shared with the browser): what each counts, relative to
// the moment the figures were read, and the keys-table filter that lists exactly that bucket's keys.
import { utcInputValue } from "~/kv/key-filter";

export const EXPIRY_BUCKETS = ["expired", "hour", "day", "week", "month", "later", "never"] as const;
export type ExpiryBucket = (typeof EXPIRY_BUCKETS)[number];

const HOUR = 3600;
/**
 * Upper bounds (seconds from now, inclusive) of the bounded buckets after "expired": a bucket holds
 * the keys with `previous bound < expiration - now <= its bound`.
 */
export const EXPIRY_BOUNDS: Record<"hour" | "day" | "week" | "month", number> = {
  hour: HOUR,
  day: 24 * HOUR,
  week: 7 * 24 * HOUR,
  month: 30 * 24 * HOUR,
};

export const EXPIRY_BUCKET_LABELS: Record<ExpiryBucket, string> = {
  expired: "Expired",
  hour: "Within an hour",
  day: "1 hour – 1 day",
  week: "1–7 days",
  month: "7–30 days",
  later: "After 30 days",
  never: "Never",
};

const LOWER: Partial<Record<ExpiryBucket, number>> = {
  hour: 0,
  day: EXPIRY_BOUNDS.hour,
  week: EXPIRY_BOUNDS.day,
  month: EXPIRY_BOUNDS.week,
  later: EXPIRY_BOUNDS.month,
};
const UPPER: Partial<Record<ExpiryBucket, number>> = EXPIRY_BOUNDS;

/**
 * The keys-table filter (URL parameters, app/kv/key-filter.ts) for one bucket as counted at
 * `nowSeconds`: `(now + lower, now + upper]` in whole seconds is `[now + lower + 1, now + upper + 1)`.
 */
export function expiryBucketFilter(bucket: ExpiryBucket, nowSeconds: number): Record<string, string> {
  if (bucket === "expired" || bucket === "never") return { expiry: bucket };
  const from = utcInputValue(nowSeconds + LOWER[bucket]! + 1);
  const upper = UPPER[bucket];
  return upper === undefined
    ? { expiry: "from", expiresFrom: from }
    : { expiry: "between", expiresFrom: from, expiresBefore: utcInputValue(nowSeconds + upper + 1) };
}
