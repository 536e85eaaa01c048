// The delete form's limit is the page's inline-vs-job threshold: one bulk request's worth.
import { expect, test } from "vitest";
import { deleteKeysSchema, MAX_INLINE_DELETE } from "./key-forms";
import { BULK_MAX_KEYS } from "./limits";

test("a delete action takes one bulk request's worth of keys; one more is refused (the page sends it to a job)", () => {
  expect(MAX_INLINE_DELETE).toBe(BULK_MAX_KEYS);
  const names = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);
  expect(deleteKeysSchema.safeParse({ intent: "delete", names: names(BULK_MAX_KEYS) }).success).toBe(true);
  const refused = deleteKeysSchema.safeParse({ intent: "delete", names: names(BULK_MAX_KEYS + 1) });
  expect(refused.error?.issues[0].message).toBe("Select at most 10,000 keys at once; purge larger sets by rule.");
});
