// The merge rules of the optimistic resource cache, as a pure function: given a fresh page from
// the upstream and the marks that cover it, what the user sees, which marks the upstream has now
// confirmed (to clear) and which have outlived their TTL unconfirmed (to turn into errors).
import { metaOf, type Overlay, type OverlayMeta, type RuleOverlay, type WithMeta } from "./types";

export interface PageRange {
  /** Exclusive lower bound: the last id of the previous page. */
  after?: string | null;
  /** Inclusive upper bound: the last id this page listed; null when the page ends the listing. */
  through?: string | null;
  prefix?: string;
}

export interface MergeInput<T extends object, R extends object = object> {
  fresh: T[];
  overlays: Overlay<T>[];
  rules?: RuleOverlay<R>[];
  idOf: (item: T) => string;
  compare: (a: string, b: string) => number;
  range: PageRange;
  /** Does the listed item show what the mark's operation wrote? */
  confirms: (listed: T, overlay: Overlay<T>) => boolean;
  ruleMatches?: (item: T, rule: RuleOverlay<R>) => boolean;
  /** Ids whose value change was confirmed by reading it back. */
  verified?: ReadonlySet<string>;
  now: number;
}

export interface MergeResult<T extends object> {
  items: WithMeta<T>[];
  /** Listed items the user does not see (deleting, or hidden by a rule). */
  hidden: number;
  confirmed: Overlay<T>[];
  expired: Overlay<T>[];
}

export function notConfirmedMessage(o: Overlay<unknown>): string {
  const seconds = Math.round((o.expiresAt - o.createdAt) / 1000);
  switch (o.intent) {
    case "delete":
      return `Delete not confirmed: the upstream still lists this key ${seconds} s later.`;
    case "create":
      return `Create not confirmed: the upstream does not list this key ${seconds} s later.`;
    case "update":
      return `Update not confirmed: the upstream does not show the change ${seconds} s later.`;
    case "process":
      return `Operation stalled: no word from it for ${seconds} s.`;
  }
}

export function inRange(id: string, range: PageRange, compare: (a: string, b: string) => number): boolean {
  if (range.prefix && !id.startsWith(range.prefix)) return false;
  if (range.after != null && compare(id, range.after) <= 0) return false;
  if (range.through != null && compare(id, range.through) > 0) return false;
  return true;
}

export function merge<T extends object, R extends object = object>(input: MergeInput<T, R>): MergeResult<T> {
  const { idOf, now, compare } = input;
  const byId = new Map(input.overlays.map((o) => [o.resourceId, o]));
  const activeRules = (input.rules ?? []).filter((r) => r.expiresAt > now);
  const result: MergeResult<T> = { items: [], hidden: 0, confirmed: [], expired: [] };
  const withMeta = (item: T, meta: OverlayMeta): WithMeta<T> => ({ ...item, _meta: meta });
  let injected = false;

  const settle = (o: Overlay<T>, listed: T | undefined) => {
    const alive = o.expiresAt > now;
    const isError = o.status === "error";
    if (o.intent === "delete") {
      if (!listed) return result.confirmed.push(o);
      // Refused, or being sent again (`retrying n/m`): the row shows, with its state.
      if (isError || (alive && o.status === "retrying")) return result.items.push(withMeta(listed, metaOf(o)));
      if (alive) return result.hidden++;
      result.expired.push(o);
      return result.items.push(withMeta(listed, metaOf(o, "error", notConfirmedMessage(o))));
    }
    if (o.intent === "process") {
      const shown = listed ?? o.data;
      if (!shown) return;
      if (!listed) injected = true;
      if (isError || alive) return result.items.push(withMeta(shown, metaOf(o)));
      result.expired.push(o);
      return result.items.push(withMeta(shown, metaOf(o, "error", notConfirmedMessage(o))));
    }
    // create or update
    const confirmed =
      listed !== undefined &&
      (o.expected?.notBefore === undefined || now >= o.expected.notBefore) &&
      input.confirms(listed, o) &&
      (!o.expected?.valueDigest || (input.verified?.has(o.resourceId) ?? false));
    if (confirmed) {
      result.confirmed.push(o);
      return result.items.push(listed);
    }
    const shown = o.data ?? listed;
    if (!shown) return;
    if (!listed) injected = true;
    if (isError || alive) return result.items.push(withMeta(shown, metaOf(o)));
    result.expired.push(o);
    result.items.push(withMeta(listed ?? shown, metaOf(o, "error", notConfirmedMessage(o))));
  };

  for (const item of input.fresh) {
    const id = idOf(item);
    const overlay = byId.get(id);
    if (overlay) {
      byId.delete(id);
      settle(overlay, item);
    } else if (activeRules.some((rule) => input.ruleMatches?.(item, rule))) {
      result.hidden++;
    } else {
      result.items.push(item);
    }
  }
  for (const overlay of byId.values()) {
    if (inRange(overlay.resourceId, input.range, compare)) settle(overlay, undefined);
  }
  if (injected) result.items.sort((a, b) => compare(idOf(a), idOf(b)));
  return result;
}
