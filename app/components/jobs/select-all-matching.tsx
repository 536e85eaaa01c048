// "Select all N matching": a dry run counts the keys the page's rule matches, then a purge of
// exactly that rule deletes them (behind a confirmation, typed for large counts).
import { useNavigate } from "@remix-run/react";
import { useState } from "react";
import { ruleFormEntries } from "~/jobs/payloads";
import type { DryRunResult, JobSnapshot } from "~/jobs/types";
import { describeRule, type KeyRule } from "~/kv/key-rule";
import { formatCount } from "~/utils/format";
import { ConfirmDeleteDialog, TYPE_TO_CONFIRM_FROM } from "../confirm-delete-dialog";
import { KeyName, VisibleText } from "../key-name";
import { Button } from "../ui/button";
import { useLiveJob } from "../use-live-job";
import { useStartJob } from "./use-start-job";

/** "Select all N matching": counts with a dry run, then offers to purge exactly that rule. */
export function SelectAllMatching({ action, rule, namespaceTitle }: { action: string; rule: KeyRule; namespaceTitle: string }) {
  const navigate = useNavigate();
  const [counting, setCounting] = useState<JobSnapshot | null>(null);
  const [counted, setCounted] = useState<DryRunResult | null>(null);
  const [confirming, setConfirming] = useState(false);
  const dryRun = useStartJob(action, (job) => setCounting(job));
  const purge = useStartJob(action, (job) => navigate(`/jobs/${job.id}`));
  const { job } = useLiveJob(counting, {
    onEnd: (finished) => {
      if (finished.state === "succeeded") setCounted((finished.result as { dryRun: DryRunResult }).dryRun);
      setCounting(null);
    },
  });
  const what = describeRule(rule);

  if (counted) {
    const n = counted.matched;
    return (
      <div className="flex flex-wrap items-center gap-2 text-sm text-foreground" role="group" aria-label="All matching keys">
        <span>
          All <strong>{formatCount(n)}</strong> keys matching <VisibleText text={what} /> are selected.
        </span>
        <Button size="sm" variant="destructive" disabled={n === 0 || purge.pending} onClick={() => setConfirming(true)}>
          Delete {formatCount(n)} {n === 1 ? "key" : "keys"}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setCounted(null)}>
          Clear selection
        </Button>
        {purge.error ? (
          <span role="alert" className="text-destructive">
            <VisibleText text={purge.error} />
          </span>
        ) : null}
        <ConfirmDeleteDialog
          open={confirming}
          onOpenChange={setConfirming}
          title={`Delete ${formatCount(n)} keys from ${namespaceTitle}?`}
          description={
            <>
              <p>
                Every key matching <VisibleText text={what} /> is deleted by a background job you can pause or cancel. Keys created after
                the count that match are deleted too. This cannot be undone.
              </p>
              <p className="mt-2">
                About {formatCount(counted.estimate.requests)} requests, at least {Math.ceil(counted.estimate.seconds)} s under the request
                budget.
              </p>
              {counted.sample.length ? (
                <ul className="mt-2 max-h-24 overflow-auto font-mono text-xs">
                  {counted.sample.slice(0, 5).map((k) => (
                    <li key={k} className="flex min-w-0">
                      <KeyName name={k} truncate="middle" />
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          }
          actionLabel={`Delete ${formatCount(n)} ${n === 1 ? "key" : "keys"}`}
          confirmText={n >= TYPE_TO_CONFIRM_FROM ? String(n) : undefined}
          onConfirm={() => {
            setConfirming(false);
            purge.start([["kind", "purge"], ...ruleFormEntries(rule), ["totalEstimate", String(n)]]);
          }}
        />
      </div>
    );
  }
  if (job) {
    return (
      <div className="flex items-center gap-2 text-sm" role="status">
        Counting keys matching <VisibleText text={what} />: {formatCount(job.counters.matched)} so far ({formatCount(job.counters.scanned)}{" "}
        scanned)…
      </div>
    );
  }
  return (
    <>
      <Button
        size="sm"
        variant="outline"
        disabled={dryRun.pending}
        onClick={() => dryRun.start([["kind", "purge"], ...ruleFormEntries(rule), ["dryRun", "on"]])}
      >
        Select all matching
      </Button>
      {dryRun.error ? (
        <span role="alert" className="text-sm text-destructive">
          <VisibleText text={dryRun.error} />
        </span>
      ) : null}
    </>
  );
}
