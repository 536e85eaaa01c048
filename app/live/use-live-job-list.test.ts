// When the jobs list reloads from its loader: only when the unfinished jobs say a job started
// (newer than its newest row) or finished (a row unfinished here is gone from them); never because
// an old unfinished job sits beyond the list's page, or another namespace's job started.
import { expect, test } from "vitest";
import type { JobSnapshot, JobState } from "~/jobs/types";
import { UNFINISHED_JOBS_LIMIT } from "./protocol";
import { listIsStale } from "./use-live-job-list";

const job = (id: string, createdAt: string, state: JobState = "running", namespaceId = "ns") =>
  ({ id, createdAt, state, connectionId: 1, namespaceId, updatedAt: createdAt }) as JobSnapshot;

test("a job that started or finished makes the list stale; progress alone does not", () => {
  const rows = [job("b", "2026-01-02"), job("a", "2026-01-01", "succeeded")];
  expect(listIsStale(rows, [job("b", "2026-01-02")], null)).toBe(false);
  expect(listIsStale(rows, [job("c", "2026-01-03", "queued"), job("b", "2026-01-02")], null)).toBe(true);
  expect(listIsStale(rows, [], null)).toBe(true);
});

test("an unfinished job older than the list's rows, another namespace's job, or one past the topic's limit changes nothing", () => {
  const rows = [job("b", "2026-01-02")];
  expect(listIsStale(rows, [job("b", "2026-01-02"), job("old", "2025-12-01")], null)).toBe(false);
  const scope = { connectionId: 1, namespaceId: "ns" };
  expect(listIsStale(rows, [job("elsewhere", "2026-01-03", "running", "other"), job("b", "2026-01-02")], scope)).toBe(false);
  // The topic holds the newest UNFINISHED_JOBS_LIMIT: a row older than all of them may still run.
  const newest = Array.from({ length: UNFINISHED_JOBS_LIMIT }, (_, i) =>
    job(`n${i}`, `2026-02-${String(i % 28).padStart(2, "0")}`, "running", "other"),
  );
  expect(listIsStale(rows, newest, scope)).toBe(false);
});
