// Plans (decision 019), the parts every kind with a plan shares: a dry run stores its matching
// keys (job_keys `planned`); a real run given `plan` is checked against it when it starts, claims it
// in the transaction that inserts it, and reads the planned keys instead of listing.
import { searchCatalog } from "~/catalog/search.server";
import { compareKeys } from "~/kv/key-order";
import { type KeyRule, compileRule, describeRule, isEmptyRule, keyRuleSchema } from "~/kv/key-rule";
import type { KeyInfo } from "~/kv/upstream.server";
import { JobFailure, type JobContext } from "../context.server";
import { type BatchOutcome, type PipelineSpec, type SourcePage, keySetSource } from "../pipeline.server";
import type { JobStore } from "../store.server";
import type { JobKind, PlanApplyResult, PlanResult } from "../types";
import { JobInputError, type PrepareInput } from "./kind.server";

const PLAN_PAGE = 1000;

/** The payload fields of a kind with plans. */
export interface PlanFields {
  rule: KeyRule;
  plan?: string;
  recheck?: boolean;
  /** Dry runs: make the plan from the catalog rather than a live listing. */
  source?: "live" | "catalog";
}

/**
 * Checks the plan a real run is asked to apply: a finished dry run of this kind, on this
 * namespace, of the same rule (and `settings`, e.g. the expiry), that stored its keys and was not
 * applied yet. Returns the start's total estimate (the plan's count), or nothing without a plan.
 */
export async function preparePlan<P extends PlanFields>(
  { deps, payload, connection, namespaceId, dryRun }: PrepareInput<P>,
  kind: JobKind,
  label: string,
  settings?: { of(payload: unknown): unknown; differ: string },
): Promise<{ totalEstimate: number } | undefined> {
  if (payload.recheck && !payload.plan) throw new JobInputError("Re-check applies to a plan: choose the plan to apply.");
  if (payload.source === "catalog") {
    if (!dryRun) throw new JobInputError("Only a plan (a dry run) is made from the catalog: apply the plan it makes.");
    if (!(await deps.connections.catalog.get(connection.id, namespaceId)))
      throw new JobInputError("This namespace has no catalog: index it first, or make the plan from a live listing.");
  }
  if (!payload.plan) return;
  const field = (message: string) => new JobInputError(message, { plan: [message] });
  if (dryRun) throw field(`A plan is applied by a real ${label}, not by another dry run.`);
  const row = await deps.store.get(payload.plan);
  if (!row) throw field(`There is no plan ${payload.plan}.`);
  if (row.kind !== kind || !row.dryRun) throw field(`Job ${row.id} is not a plan: a plan is a ${label}'s dry run.`);
  if (row.connectionId !== connection.id || row.namespaceId !== namespaceId)
    throw field(`The plan ${row.id} was made for another namespace: make a plan here.`);
  if (row.state !== "succeeded") throw field(`The plan ${row.id} is ${row.state}: only a plan that finished can be applied.`);
  const result = row.result as PlanResult | null;
  if (!result?.dryRun?.plan) throw field(`The dry run ${row.id} did not record its keys: make a new plan.`);
  if (result.appliedBy) throw field(`This plan was already applied by job ${result.appliedBy}.`);
  // A copy's rule may be absent: every key.
  const planRule = keyRuleSchema.safeParse((row.payload as { rule?: unknown } | null)?.rule ?? {});
  if (!planRule.success || !sameJson(planRule.data, payload.rule))
    throw field(`The plan ${row.id} was made for another rule (${planRule.success ? describeRule(planRule.data) : "unknown"}).`);
  if (settings && !sameJson(settings.of(row.payload), settings.of(payload))) throw field(`The plan ${row.id} ${settings.differ}.`);
  return { totalEstimate: result.dryRun.matched };
}

/** In the transaction that inserts the real run: claims the plan, or refuses the start. */
export async function claimPlan(store: JobStore, kind: JobKind, jobId: string, planId: string | undefined): Promise<void> {
  if (!planId) return;
  if (await store.claimPlan(planId, kind, jobId)) return;
  const plan = await store.get(planId);
  const by = (plan?.result as PlanResult | null)?.appliedBy;
  throw new JobInputError(by ? `This plan was already applied by job ${by}.` : "This plan can no longer be applied.", {
    plan: ["Make a new plan"],
  });
}

/** A dry run's batch of matching keys, stored as the plan's (duplicates ignored: a resume may store a batch twice). */
export async function recordPlanned(ctx: JobContext<unknown>, keys: KeyInfo[]): Promise<void> {
  await ctx.deps.store.keys.add(
    ctx.id,
    "planned",
    keys.map((k) => ({ key: k.name })),
  );
}

/** The planned keys of `planId` as a pipeline source, a page at a time in key order. */
export function plannedSource(ctx: JobContext<unknown>, planId: string): (start: string | null) => AsyncIterable<SourcePage<string>> {
  const store = ctx.deps.store;
  return (start) => keySetSource(async (after) => (await store.keys.page(planId, "planned", after, PLAN_PAGE)).map((k) => k.key), start);
}

/** A pipeline's source over a plan's keys: read, never listed (the key set does not change as they are handled). */
export function plannedKeys(
  ctx: JobContext<unknown>,
  planId: string,
  maxItems: number,
): Pick<PipelineSpec<string, string>, "source" | "position" | "compare" | "keyOf" | "batch"> {
  return {
    source: plannedSource(ctx, planId),
    position: (key) => key,
    compare: compareKeys,
    keyOf: (key) => key,
    batch: { maxItems },
  };
}

/**
 * A re-check's batch: of the listed keys, those the plan does not hold go to `handle`; the plan's
 * own (still listed while the upstream catches up) are left alone and counted as skipped. What
 * `handle` did is counted as `added` in the apply's result.
 */
export async function recheckUnplanned(
  ctx: JobContext<unknown>,
  planId: string,
  names: string[],
  handle: (keys: string[]) => Promise<BatchOutcome>,
): Promise<BatchOutcome> {
  const inPlan = await ctx.deps.store.keys.keysIn(planId, "planned", names);
  const unplanned = names.filter((k) => !inPlan.has(k));
  const outcome = unplanned.length ? await handle(unplanned) : { succeeded: 0, skipped: 0, failed: [] };
  ctx.data.added = ((ctx.data.added as number | undefined) ?? 0) + outcome.succeeded;
  ctx.result = { plan: planId, recheck: true, added: ctx.data.added as number } satisfies PlanApplyResult;
  return { ...outcome, skipped: outcome.skipped + inPlan.size };
}

/**
 * A plan's listing from the namespace's catalog instead of the upstream (no request): the catalog's
 * keys that match, in key order, a page per answer; where it stands is the last key looked at.
 * Records in `ctx.data.fromCatalog` the catalog's age and how many keys it looked at (what a live
 * re-check would list).
 */
export async function catalogListing(
  ctx: JobContext<unknown>,
  namespaceId: string,
  rule: KeyRule,
): Promise<Pick<PipelineSpec<KeyInfo, string>, "source" | "position" | "compare" | "keyOf" | "filter">> {
  const store = ctx.deps.connections.catalog;
  const catalog = await store.get(ctx.row.connectionId, namespaceId);
  if (!catalog) throw new JobFailure("This namespace has no catalog (any more): make the plan from a live listing.");
  const seen = ctx.data.fromCatalog as { examined: number } | undefined;
  const state = { asOf: catalog.asOf?.toISOString() ?? null, examined: seen?.examined ?? 0 };
  ctx.data.fromCatalog = state;
  return {
    async *source(start) {
      let after = start;
      for (;;) {
        const answer = await searchCatalog(store, catalog, rule, after, { targetMatches: PLAN_PAGE });
        state.examined += answer.examined;
        const next = answer.done || answer.last === null ? null : answer.last;
        yield { cursor: after, next, items: answer.keys };
        if (next === null) return;
        after = next;
      }
    },
    position: (key) => key.name,
    compare: compareKeys,
    keyOf: (key) => key.name,
    filter: isEmptyRule(rule) ? undefined : compileRule(rule),
  };
}

/** The same JSON value, whatever the order of object fields (absent and undefined fields alike). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([k, v]) => [k, canonical(v)]),
      );
    return value;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
