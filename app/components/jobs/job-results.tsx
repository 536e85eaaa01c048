// What a job produced, on its page: a dry run's count, estimate and sample; an export's download;
// the keys that failed, with the full report as CSV.
import type { DryRunResult, ExportResult, JobErrorEntry } from "~/jobs/types";
import { formatBytes, formatCount } from "~/utils/format";
import { KeyName, VisibleText } from "../key-name";
import { Button } from "../ui/button";

export function DryRunSummary({ dryRun }: { dryRun: DryRunResult }) {
  return (
    <section aria-labelledby="dry-run-heading" className="space-y-2 rounded-lg border p-4">
      <h2 id="dry-run-heading" className="font-medium">
        Dry run: {formatCount(dryRun.matched)} keys match
      </h2>
      <p className="text-sm text-muted-foreground">
        A real run would take about {formatCount(dryRun.estimate.requests)} requests
        {dryRun.estimate.budget ? ` under the budget ${dryRun.estimate.budget}` : ""}, at least {Math.ceil(dryRun.estimate.seconds)} s.
        {dryRun.collisions !== undefined ? ` ${formatCount(dryRun.collisions)} keys already exist in the target.` : ""}
      </p>
      {dryRun.sample.length ? (
        <ul className="max-h-48 overflow-auto font-mono text-xs">
          {dryRun.sample.map((k) => (
            <li key={k} className="flex min-w-0">
              <KeyName name={k} truncate="middle" />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function ExportDownload({ jobId, exported }: { jobId: string; exported: ExportResult }) {
  return (
    <p>
      <Button asChild>
        <a href={`/jobs/${jobId}/download`} download>
          Download export ({formatCount(exported.keys)} keys, {formatBytes(exported.bytes)})
        </a>
      </Button>
    </p>
  );
}

export function JobErrors({ jobId, errors, total }: { jobId: string; errors: JobErrorEntry[]; total: number }) {
  return (
    <section aria-labelledby="errors-heading" className="space-y-2">
      <div className="flex items-center justify-between">
        <h2 id="errors-heading" className="font-medium">
          Errors {total ? `(${formatCount(total)})` : ""}
        </h2>
        {total ? (
          <Button asChild variant="outline" size="sm">
            <a href={`/jobs/${jobId}/errors.csv`} download>
              Download error report
            </a>
          </Button>
        ) : null}
      </div>
      {errors.length === 0 ? (
        <p className="text-sm text-muted-foreground">No key has failed.</p>
      ) : (
        <ul className="divide-y rounded-md border text-sm">
          {errors.map((e, i) => (
            <li key={`${e.key}-${i}`} className="flex gap-3 px-3 py-1.5">
              <span className="flex min-w-0 flex-1 font-mono text-xs">{e.key ? <KeyName name={e.key} truncate="middle" /> : "—"}</span>
              <span className="min-w-0 break-words text-muted-foreground">
                <VisibleText text={e.error} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
