// The jobs list's table: kind and subject, namespace, state, progress, who started it and when.
import { Link } from "@remix-run/react";
import type { NamespaceTitles } from "~/jobs/namespace-key";
import type { JobSnapshot } from "~/jobs/types";
import { escapeInvisibles, formatCount } from "~/utils/format";
import { JobNamespaceLink, JobProgressBar, JobStateBadge, KIND_LABELS, jobSubject } from "../job-progress";
import { VisibleText } from "../key-name";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "../ui/table";

export function JobsTable({ jobs, titles, heading }: { jobs: JobSnapshot[]; titles: NamespaceTitles; heading: string }) {
  return (
    <Table>
      <caption className="sr-only">{escapeInvisibles(heading)}, newest first</caption>
      <TableHeader>
        <TableRow>
          <TableHead scope="col">Job</TableHead>
          <TableHead scope="col">Namespace</TableHead>
          <TableHead scope="col">State</TableHead>
          <TableHead scope="col" className="w-48">
            Progress
          </TableHead>
          <TableHead scope="col">Started by</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {jobs.map((job) => (
          <TableRow key={job.id} className="hover:bg-accent/60">
            <TableCell>
              <Link to={`/jobs/${job.id}`} className="font-medium text-primary hover:underline">
                {KIND_LABELS[job.kind]}
              </Link>
              <p className="truncate text-xs text-muted-foreground">
                <VisibleText text={jobSubject(job, titles)} />
              </p>
            </TableCell>
            <TableCell>
              <JobNamespaceLink job={job} titles={titles} />
            </TableCell>
            <TableCell>
              <JobStateBadge state={job.state} dryRun={job.dryRun} />
            </TableCell>
            <TableCell>
              <JobProgressBar job={job} />
              <p className="mt-1 text-xs text-muted-foreground">
                {job.dryRun
                  ? `${formatCount(job.counters.matched)} matched`
                  : `${formatCount(job.counters.processed)} processed · ${formatCount(job.counters.failed)} failed`}
              </p>
            </TableCell>
            <TableCell className="text-muted-foreground">
              {job.createdBy ?? "—"}
              <br />
              <time dateTime={job.createdAt} className="text-xs">
                {job.createdAt.replace("T", " ").slice(0, 19)} UTC
              </time>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
