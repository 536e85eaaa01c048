// The one confirmation for applying a plan, wherever it is applied ("Select all matching" on the
// keys page, "Apply this plan" on a plan's page): the exact count, the rule, what applying costs,
// a sample, the warnings (app/components/jobs/plan-warnings.ts), the re-check option, and the
// count typed for large plans. See docs/decisions/019-plans.md.
import { useState } from "react";
import { ruleFormEntries } from "~/jobs/payloads";
import type { DryRunResult } from "~/jobs/types";
import { describeRule, type KeyRule } from "~/kv/key-rule";
import { formatCount } from "~/utils/format";
import type { RecycleOffer } from "~/features/recycle/bin.server";
import { KeepCopyField } from "../recycle/keep-copy-field";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "../confirm-delete-dialog";
import { KeyName, VisibleText } from "../key-name";
import { type CatalogListingNow, catalogPlanAsOf, catalogRefreshedWarning, planStaleMinutes } from "./plan-warnings";

/** The plans kvdeck applies, and what applying one does to each planned key. */
export const PLAN_ACTIONS = {
  purge: { verb: "Delete", done: "deleted", past: "deleted", recheck: "delete", where: "from" },
  "bulk-expiry": {
    verb: "Change the expiry of",
    done: "given the new expiry",
    past: "given the new expiry",
    recheck: "change the expiry of",
    where: "in",
  },
  copy: { verb: "Copy", done: "copied", past: "copied", recheck: "copy", where: "from" },
  move: { verb: "Move", done: "moved (each deleted here once its copy reads back equal)", past: "moved", recheck: "move", where: "from" },
} as const;
export type PlanKind = keyof typeof PLAN_ACTIONS;

/** The kinds whose dry run is a plan the pages apply. */
export const isPlanKind = (kind: string): kind is PlanKind => Object.hasOwn(PLAN_ACTIONS, kind);

export const keysCount = (n: number) => `${formatCount(n)} ${n === 1 ? "key" : "keys"}`;

/** What applying a plan costs, as the pages say it. */
export const planCost = ({ requests, seconds }: DryRunResult["estimate"]) =>
  `${formatCount(requests)} ${requests === 1 ? "request" : "requests"}, at least ${Math.ceil(seconds)} s under the request budget`;

/**
 * The start form of a plan's apply: its kind, its rule and the kind's own `settings` (the plan's
 * expiry, target…), the plan, the re-check, and the plan's count as the estimate.
 */
export function planApplyFields(
  kind: PlanKind,
  rule: KeyRule,
  planId: string,
  opts: { recheck: boolean; matched: number; settings?: [string, string][] },
): [string, string][] {
  return [
    ["kind", kind],
    ...ruleFormEntries(rule),
    ...(opts.settings ?? []),
    ["plan", planId],
    ...(opts.recheck ? ([["recheck", "on"]] as [string, string][]) : []),
    ["totalEstimate", String(opts.matched)],
  ];
}

/** What applying a plan is called on its buttons: "Delete 30,000 keys". */
export const planActionLabel = (kind: PlanKind, matched: number) => `${PLAN_ACTIONS[kind].verb} ${keysCount(matched)}`;

/** In a plan's confirmation: what a plan from the catalog cannot know. */
export function CatalogPlanNote({ asOf }: { asOf: string | null }) {
  return asOf ? (
    <p className="mt-2 rounded-md bg-muted p-2">
      This plan comes from the catalog as of {asOf}: keys written outside kvdeck since then are not in it; re-check live adds them.
    </p>
  ) : null;
}

function Warning({ children }: { children: React.ReactNode }) {
  return (
    <p role="alert" className="mt-2 rounded-md bg-amber-500/10 p-2 text-amber-700 dark:text-amber-300">
      {children}
    </p>
  );
}

export function PlanApplyDialog({
  openedAt,
  onClose,
  kind,
  rule,
  namespaceTitle,
  result,
  finishedAt,
  catalogNow,
  recycle,
  onConfirm,
}: {
  /** When the person opened the confirmation (the plan's age is taken then); null: closed. */
  openedAt: number | null;
  onClose: () => void;
  kind: PlanKind;
  rule: KeyRule;
  namespaceTitle?: string;
  result: DryRunResult;
  /** When the plan's listing finished (ms). */
  finishedAt: number;
  /** The namespace's catalog now, for a plan made from it (warns once it was refreshed). */
  catalogNow?: CatalogListingNow | null;
  /** For a purge or a move: the copy's offer; the apply then sends the person's choice. */
  recycle?: RecycleOffer;
  /** `recycle`: the form's field for the copy, when the dialog offered one. */
  onConfirm: (recheck: boolean, recycle: [string, string][]) => void;
}) {
  const [recheck, setRecheck] = useState(false);
  const [keep, setKeep] = useState<boolean | null>(null);
  const offersCopy = recycle !== undefined && (kind === "purge" || kind === "move");
  const keepCopy = keep ?? recycle?.copyByDefault ?? true;
  const n = result.matched;
  const action = PLAN_ACTIONS[kind];
  const actionLabel = planActionLabel(kind, n);
  const staleMinutes = openedAt === null ? null : planStaleMinutes(finishedAt, openedAt);
  const refreshed = catalogRefreshedWarning(result.plan, catalogNow);
  const where = namespaceTitle === undefined ? "" : ` ${action.where} ${namespaceTitle}`;
  return (
    <ConfirmDeleteDialog
      open={openedAt !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`${actionLabel}${where}?`}
      description={
        <>
          <p>
            Exactly the {formatCount(n)} planned {n === 1 ? "key" : "keys"} matching <VisibleText text={describeRule(rule)} /> are{" "}
            {action.done} by a background job you can pause or cancel: {planCost(result.estimate)}.
            {kind === "purge" ? (offersCopy && keepCopy ? " You can undo this from the recycle bin." : " This cannot be undone.") : ""}
          </p>
          <CatalogPlanNote asOf={catalogPlanAsOf(result.plan)} />
          {refreshed ? <Warning>{refreshed}</Warning> : null}
          {staleMinutes ? (
            <Warning>
              This plan is {staleMinutes} {staleMinutes === 1 ? "minute" : "minutes"} old: keys may have changed; re-check live adds keys
              created since.
            </Warning>
          ) : null}
          {result.sample.length ? (
            <ul aria-label="Sample of the planned keys" className="mt-2 max-h-24 overflow-auto font-mono text-xs">
              {result.sample.slice(0, 5).map((k) => (
                <li key={k} className="flex min-w-0">
                  <KeyName name={k} truncate="middle" />
                </li>
              ))}
            </ul>
          ) : null}
        </>
      }
      actionLabel={actionLabel}
      confirmText={n >= TYPE_TO_CONFIRM_FROM ? String(n) : undefined}
      onConfirm={() => {
        onClose();
        onConfirm(recheck, offersCopy ? [["recycle", keepCopy ? "keep" : "skip"]] : []);
        setKeep(null);
      }}
    >
      {offersCopy ? (
        <KeepCopyField
          keys={n}
          requestsPerSecond={recycle.requestsPerSecond}
          defaultChecked={keepCopy}
          checked={keepCopy}
          onCheckedChange={setKeep}
        />
      ) : null}
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-1" checked={recheck} onChange={(e) => setRecheck(e.currentTarget.checked)} />
        <span>
          Re-check live: afterwards, also {action.recheck} keys matching the rule that were created since the plan (about{" "}
          {formatCount(result.plan?.recheckRequests ?? 0)} more list requests)
        </span>
      </label>
    </ConfirmDeleteDialog>
  );
}
