import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import type { JobSnapshot } from "~/jobs/types";
import { JobCounts, JobProgressBar, describeProgress } from "./job-progress";

const base: JobSnapshot = {
  id: "j1",
  kind: "purge",
  connectionId: 1,
  namespaceId: "ns",
  state: "running",
  pauseRequested: false,
  dryRun: false,
  payload: { rule: { prefix: "tmp:" } },
  phase: "delete",
  counters: { scanned: 3000, matched: 3000, processed: 0, succeeded: 0, failed: 0, skipped: 0 },
  totalEstimate: 40_000,
  progress: 0,
  rate: null,
  etaSeconds: null,
  pagesScanned: 3,
  runningMs: 0,
  averageRate: null,
  requestsUsed: 3,
  attempts: 1,
  createdBy: "admin",
  createdAt: "2026-01-01T00:00:00.000Z",
  startedAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:03.000Z",
  finishedAt: null,
  error: null,
  result: null,
};

test("the listing is progress of its own: an indeterminate bar that says pages, keys scanned and matched", () => {
  const job = base;
  expect(describeProgress(job)).toEqual({ stage: "listing", value: null, text: "Listing: 3 pages, 3,000 keys scanned, 3,000 matched" });
  const html = renderToStaticMarkup(<JobProgressBar job={job} showText />);
  expect(html).toContain('role="progressbar"');
  expect(html).toContain('aria-label="Purge by rule progress"');
  expect(html).toContain('aria-valuetext="Listing: 3 pages, 3,000 keys scanned, 3,000 matched"');
  expect(html).not.toContain("aria-valuenow");
});

test("processing is measured against the total", () => {
  const job = {
    ...base,
    counters: { ...base.counters, scanned: 20_000, matched: 20_000, processed: 10_000, succeeded: 10_000 },
    progress: 0.25,
  };
  expect(describeProgress(job)).toEqual({ stage: "processing", value: 25, text: "Deleting: 10,000 of 40,000 keys (25 %)" });
  expect(renderToStaticMarkup(<JobProgressBar job={job} />)).toContain('aria-valuenow="25"');
});

test("a finished job shows its average rate and total time, not dashes", () => {
  const done: JobSnapshot = {
    ...base,
    state: "succeeded",
    counters: { scanned: 40_000, matched: 40_000, processed: 40_000, succeeded: 40_000, failed: 0, skipped: 0 },
    progress: 1,
    rate: null,
    updatedAt: "2026-01-01T00:00:40.000Z",
    finishedAt: "2026-01-01T00:00:40.000Z",
  };
  const html = renderToStaticMarkup(<JobCounts job={done} />);
  expect(html).toContain('aria-label="Average rate">1,000 keys/s<');
  expect(html).toContain('aria-label="Total time">40 s<');
  expect(html).not.toContain('aria-label="ETA"');
  // The engine's own figures win when it published them (time paused not counted).
  const published: JobSnapshot = { ...done, averageRate: 2000, runningMs: 20_000 };
  const figures = renderToStaticMarkup(<JobCounts job={published} />);
  expect(figures).toContain('aria-label="Average rate">2,000 keys/s<');
  expect(figures).toContain('aria-label="Total time">20 s<');
});
