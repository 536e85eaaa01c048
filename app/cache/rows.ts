// The cache's rows as its callers see them: ids and jsonb strings unescaped (~/db/key-text), dates
// as epoch ms, a narrowed rule's KeysDone taken out of its jsonb.
import { unescapeJsonStrings, unescapeKeyText } from "~/db/key-text";
import type { overlayRules, overlays } from "~/db/schema";
import type { Expectation, KeysDone, Overlay, RuleOverlay } from "./types";

type OverlayRow = typeof overlays.$inferSelect;
type RuleRow = typeof overlayRules.$inferSelect;

export function toOverlay<T>(row: OverlayRow): Overlay<T> {
  return {
    scope: row.scope,
    resourceId: unescapeKeyText(row.resourceId),
    opId: row.opId,
    intent: row.intent,
    status: row.status,
    data: (unescapeJsonStrings(row.data) as T | null) ?? null,
    expected: (unescapeJsonStrings(row.expected) as Expectation | null) ?? null,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    error: row.error,
    retryCount: row.retryCount,
    maxRetries: row.maxRetries,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
    expiresAt: row.expiresAt.getTime(),
  };
}

/** Where a narrowed rule's KeysDone is kept inside its jsonb `rule` (no rule's field has this name). */
export const KEYS_DONE = "$keysDone";

export function toRule<R extends object>(row: RuleRow): RuleOverlay<R> {
  const { [KEYS_DONE]: done, ...rule } = unescapeJsonStrings(row.rule) as R & { [KEYS_DONE]?: KeysDone };
  return {
    id: row.id,
    scope: row.scope,
    opId: row.opId,
    rule: rule as R,
    ...(done ? { done } : {}),
    status: row.status,
    progress: row.progress,
    message: row.message,
    createdAt: row.createdAt.getTime(),
    expiresAt: row.expiresAt.getTime(),
  };
}
