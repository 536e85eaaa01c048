// Runs one leased job from where its checkpoint says to its end: builds its context, runs its
// kind's handler, and turns however that ended into the job's next state.
//
//   handler returned          → succeeded (a dry run's result: count, sample, estimate)
//   paused / process shutdown → the lease is released; a requested pause becomes `paused` only
//                               now, in that same write; shutdown (or a withdrawn pause) re-queues
//   cancelled                 → cancelled; matched is set to processed (undone work is not counted)
//   failed                    → failed, with the checkpoint kept: resumeJob continues from it
//   lease lost                → nothing more is written (another runner owns the job now)
//   a write refused for good  → failed, with a message (never left `running` for the next runner
//                               to take over and fail at the same write again)
//   taken over too often      → failed: more than MAX_STALLED_TAKEOVERS takeovers in a row, each
//                               after a runner died holding it without saving any progress
//
// Every path first writes a final checkpoint, so the counters and the error report account for
// every batch that finished. The write that ends the run (release or finish) comes after it, is
// the runner's last, and lets go of the lease: once a row shows `paused` or `cancelled`, no write
// of this runner can change its counters, checkpoint or requestsUsed any more.
import type { Job } from "~/db/schema";
import { UpstreamError, explainUpstreamError } from "~/kv/errors";
import { describeBudget } from "~/kv/budget.server";
import { LIST_LIMIT_MAX } from "~/kv/limits";
import { JobContext, type JobDeps, JobFailure, type StopReason, isStopped } from "./context.server";
import { jobKinds } from "./kinds/index.server";
import type { JobEnd } from "./kinds/kind.server";
import type { LiveProgress } from "./store.server";
import type { DryRunResult } from "./types";

/** Takeovers in a row without progress (each after a runner died holding the job) before it fails. */
export const MAX_STALLED_TAKEOVERS = 3;

export async function runJob(deps: JobDeps, row: Job, leaseToken: string, onContext?: (ctx: JobContext<unknown>) => void): Promise<void> {
  try {
    await run(deps, row, leaseToken, onContext);
  } catch (error) {
    // Whatever went wrong, the job ends here with a message instead of waiting, `running`, for its
    // lease to lapse and the next runner to run into the same problem.
    deps.log(`kvdeck: job ${row.id}: ${(error as Error)?.stack ?? error}`);
    await endFailed(deps, row, leaseToken, `The job stopped on an internal error: ${describeError(error)}`);
  }
}

/**
 * Ends the job `failed` with `message`, as the runner's last write. Should that write be refused
 * too, the job is left to its lease: the next runner counts a takeover without progress, and after
 * MAX_STALLED_TAKEOVERS of them fails it before running anything.
 */
async function endFailed(deps: JobDeps, row: Job, leaseToken: string, message: string, live?: Partial<LiveProgress>) {
  const publish = (job: Job | null) => job && deps.events.publish(job);
  try {
    publish(await deps.store.finish(row.id, leaseToken, { state: "failed", error: message, live }));
  } catch (error) {
    deps.log(`kvdeck: job ${row.id}: could not be marked failed: ${error}`);
  }
}

async function run(deps: JobDeps, row: Job, leaseToken: string, onContext?: (ctx: JobContext<unknown>) => void): Promise<void> {
  const definition = jobKinds[row.kind];
  const publish = (job: Job | null) => job && deps.events.publish(job);
  // Cleanup sees the row as last saved (its checkpoint says how far the job got).
  const cleanup = async (state: JobEnd) => {
    const latest = (await deps.store.get(row.id).catch(() => null)) ?? row;
    await definition.cleanup?.(deps, latest, state).catch((e) => deps.log(`kvdeck: job ${row.id}: cleanup failed: ${e}`));
  };
  const end = async (state: "succeeded" | "failed" | "cancelled", error?: string) => {
    await cleanup(state);
    publish(await deps.store.finish(row.id, leaseToken, { state, error }));
    if (state !== "failed") await clearInflight();
  };
  // A job that ended for good has nothing left to replay (a failed one keeps it for resumeJob).
  const clearInflight = () =>
    deps.store.inflight.clear(row.id).catch((e) => deps.log(`kvdeck: job ${row.id}: clearing batches in flight failed: ${e}`));

  if (row.state === "cancelling") return end("cancelled");
  if (row.stalledTakeovers > MAX_STALLED_TAKEOVERS) {
    return end(
      "failed",
      `The job was taken over ${row.stalledTakeovers} times in a row after its runner stopped without saving any progress; it was stopped so it does not loop. Resume it to try again from its last checkpoint.`,
    );
  }
  // Taken over from a runner that died while pausing: pause it now, from its last checkpoint.
  if (row.pauseRequested) return void publish(await deps.store.release(row.id, leaseToken));
  const parsed = (definition.stored ?? definition.payload).safeParse(row.payload);
  if (!parsed.success) return end("failed", `The job's payload is not valid: ${parsed.error.issues[0]?.message ?? "unknown problem"}`);
  const connection = await deps.connections.get(row.connectionId);
  if (!connection) return end("failed", `Connection ${row.connectionId} no longer exists.`);

  let ctx: JobContext<unknown>;
  try {
    ctx = new JobContext(deps, row, parsed.data, leaseToken, connection);
  } catch (error) {
    return end("failed", describeError(error));
  }
  onContext?.(ctx);
  ctx.startTicking();
  const startedAt = Date.now();

  let outcome: { state: "succeeded" } | { state: "failed"; error: string } | { stop: StopReason };
  try {
    await definition.run(ctx);
    ctx.throwIfStopped();
    if (ctx.dryRun)
      ctx.result = {
        dryRun: dryRunResult(deps, ctx, definition.bulkRequests(ctx.counters.matched, ctx.payload), startedAt, definition.plans),
      };
    outcome = { state: "succeeded" };
  } catch (error) {
    // The strongest reason asked for wins: a cancel that follows a pause cancels.
    const reason = isStopped(error) ? (ctx.stopping ?? error.reason) : null;
    if (reason && reason !== "error") outcome = { stop: reason };
    else {
      if (!(error instanceof JobFailure) && !(error instanceof UpstreamError))
        deps.log(`kvdeck: job ${row.id} failed: ${(error as Error)?.stack ?? error}`);
      outcome = { state: "failed", error: describeError(error) };
    }
  } finally {
    ctx.stopTicking();
  }

  await ctx.flush();
  if ("stop" in outcome && outcome.stop === "lost") {
    deps.log(`kvdeck: job ${row.id}: another runner took it over`);
    return;
  }
  try {
    await ctx.save();
  } catch (error) {
    // The database refused the final checkpoint: the job fails from the last checkpoint it saved.
    // Retried by a takeover, it would only meet the same write again.
    deps.log(`kvdeck: job ${row.id}: the final checkpoint failed: ${error}`);
    await cleanup("failed");
    const message =
      "error" in outcome
        ? outcome.error
        : error instanceof JobFailure
          ? error.message
          : `The job's progress could not be saved: ${describeError(error)}`;
    return endFailed(deps, row, leaseToken, message, ctx.live());
  }
  if (ctx.stopping === "lost") return;

  const finalState: JobEnd = "stop" in outcome ? (outcome.stop === "cancel" ? "cancelled" : "paused") : outcome.state;
  await cleanup(finalState);
  if (finalState === "paused") {
    publish(await deps.store.release(row.id, leaseToken, ctx.live()));
    return;
  }
  const error = "error" in outcome ? outcome.error : null;
  const live = {
    ...ctx.live(),
    totalEstimate: finalState === "succeeded" ? (ctx.totalEstimate ?? ctx.counters.processed) : ctx.totalEstimate,
  };
  try {
    publish(await deps.store.finish(row.id, leaseToken, { state: finalState, error, result: ctx.result, live }));
  } catch (writeError) {
    // The end itself could not be written (e.g. a result the database refuses): fail with what can be.
    deps.log(`kvdeck: job ${row.id}: the final write failed: ${writeError}`);
    return endFailed(
      deps,
      row,
      leaseToken,
      `The job's end could not be saved: ${describeError(writeError)}${error ? ` (after: ${error})` : ""}`,
      ctx.live(),
    );
  }
  if (finalState !== "failed") await clearInflight();
}

function dryRunResult(deps: JobDeps, ctx: JobContext<unknown>, bulkRequests: number, startedAt: number, plan = false): DryRunResult {
  // The dry run made every list request the real run will make; add what the kind does per key.
  // Applying a plan lists nothing of the rule: only the bulk requests, and the listings it repeats
  // (a copy's of its target, to keep the keys there).
  const applyListRequests = (ctx.data.applyListRequests as number | undefined) ?? 0;
  const requests = (plan ? applyListRequests : ctx.requestsUsed) + bulkRequests;
  const budget = deps.budgets?.specFor(ctx.connection.kind) ?? null;
  const jobShare = deps.budgets?.jobShare ?? 1;
  const budgetSeconds = budget ? (requests * budget.windowMs) / 1000 / (budget.requests * jobShare) : 0;
  const listingSeconds = plan ? 0 : (Date.now() - startedAt) / 1000;
  const result: DryRunResult = {
    matched: ctx.counters.matched,
    sample: (ctx.data.sample as string[] | undefined) ?? [],
    estimate: {
      requests,
      seconds: Math.ceil(Math.max(budgetSeconds, listingSeconds)),
      budget: budget ? describeBudget(budget) : null,
    },
  };
  if (plan) {
    // A plan from the catalog listed nothing: its re-check costs what listing the keys it looked at would.
    const fromCatalog = ctx.data.fromCatalog as { asOf: string | null; examined: number } | undefined;
    result.plan = fromCatalog
      ? { recheckRequests: Math.max(1, Math.ceil(fromCatalog.examined / LIST_LIMIT_MAX)), fromCatalog: { asOf: fromCatalog.asOf } }
      : { recheckRequests: ctx.requestsUsed - applyListRequests };
  }
  if (typeof ctx.data.collisions === "number") result.collisions = ctx.data.collisions;
  return result;
}

/** A message for the person: the upstream's words for upstream errors, ours otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof JobFailure) return error.message;
  if (error instanceof UpstreamError) {
    const { title } = explainUpstreamError(error.kind, error.details.retryAfterSeconds);
    return `${title}: ${error.message}`;
  }
  return `Internal error: ${error instanceof Error ? error.message : String(error)}`;
}
