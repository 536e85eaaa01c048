// Runs one leased job from where its checkpoint says to its end: builds its context, runs its
// kind's handler, and turns however that ended into the job's next state.
//
//   handler returned          → succeeded (a dry run's result: count, sample, estimate)
//   paused / process shutdown → the lease is released; a requested pause becomes `paused` only
//                               now, in that same write; shutdown (or a withdrawn pause) re-queues
//   cancelled                 → cancelled; matched is set to processed (undone work is not counted)
//   failed                    → failed, with the checkpoint kept: resumeJob continues from it
//   lease lost                → nothing more is written (another runner owns the job now)
//
// Every path first writes a final checkpoint, so the counters and the error report account for
// every batch that finished. The write that ends the run (release or finish) comes after it, is
// the runner's last, and lets go of the lease: once a row shows `paused` or `cancelled`, no write
// of this runner can change its counters, checkpoint or requestsUsed any more.
import type { Job } from "~/db/schema";
import { UpstreamError, explainUpstreamError } from "~/kv/errors";
import { describeBudget } from "~/kv/budget.server";
import { JobContext, type JobDeps, JobFailure, type StopReason, isStopped } from "./context.server";
import { jobKinds } from "./kinds/index.server";
import type { JobEnd } from "./kinds/kind.server";
import { isPauseRequested } from "./store.server";
import type { DryRunResult } from "./types";

export async function runJob(deps: JobDeps, row: Job, leaseToken: string, onContext?: (ctx: JobContext<unknown>) => void): Promise<void> {
  const definition = jobKinds[row.kind];
  const publish = (job: Job | null) => job && deps.events.publish(job);
  const end = async (state: "succeeded" | "failed" | "cancelled", error?: string) => {
    await definition.cleanup?.(deps, row, state).catch((e) => deps.log(`kvdeck: job ${row.id}: cleanup failed: ${e}`));
    publish(await deps.store.finish(row.id, leaseToken, { state, error }));
    if (state !== "failed") await clearInflight();
  };
  // A job that ended for good has nothing left to replay (a failed one keeps it for resumeJob).
  const clearInflight = () => deps.store.clearInflight(row.id).catch((e) => deps.log(`kvdeck: job ${row.id}: clearing batches in flight failed: ${e}`));

  if (row.state === "cancelling") return end("cancelled");
  // Taken over from a runner that died while pausing: pause it now, from its last checkpoint.
  if (isPauseRequested(row)) return void publish(await deps.store.release(row.id, leaseToken));
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
    if (ctx.dryRun) ctx.result = { dryRun: dryRunResult(deps, ctx, definition.bulkRequests(ctx.counters.matched, ctx.payload), startedAt) };
    outcome = { state: "succeeded" };
  } catch (error) {
    // The strongest reason asked for wins: a cancel that follows a pause cancels.
    const reason = isStopped(error) ? (ctx.stopping ?? error.reason) : null;
    if (reason && reason !== "error") outcome = { stop: reason };
    else {
      if (!(error instanceof JobFailure) && !(error instanceof UpstreamError)) deps.log(`kvdeck: job ${row.id} failed: ${(error as Error)?.stack ?? error}`);
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
    deps.log(`kvdeck: job ${row.id}: the final checkpoint failed: ${error}`);
    return; // the lease will lapse and the job resume from its last checkpoint
  }
  if (ctx.stopping === "lost") return;

  const finalState: JobEnd = "stop" in outcome ? (outcome.stop === "cancel" ? "cancelled" : "paused") : outcome.state;
  await definition.cleanup?.(deps, row, finalState).catch((e) => deps.log(`kvdeck: job ${row.id}: cleanup failed: ${e}`));
  if (finalState === "paused") {
    publish(await deps.store.release(row.id, leaseToken, ctx.live()));
    return;
  }
  publish(
    await deps.store.finish(row.id, leaseToken, {
      state: finalState,
      error: "error" in outcome ? outcome.error : null,
      result: ctx.result,
      live: { ...ctx.live(), totalEstimate: finalState === "succeeded" ? (ctx.totalEstimate ?? ctx.counters.processed) : ctx.totalEstimate },
    }),
  );
  if (finalState !== "failed") await clearInflight();
}

function dryRunResult(deps: JobDeps, ctx: JobContext<unknown>, bulkRequests: number, startedAt: number): DryRunResult {
  // The dry run made every list request the real run will make; add what the kind does per key.
  const requests = ctx.requestsUsed + bulkRequests;
  const budget = deps.budgets?.specFor(ctx.connection.kind) ?? null;
  const jobShare = deps.budgets?.jobShare ?? 1;
  const budgetSeconds = budget ? (requests * budget.windowMs) / 1000 / (budget.requests * jobShare) : 0;
  const listingSeconds = (Date.now() - startedAt) / 1000;
  const result: DryRunResult = {
    matched: ctx.counters.matched,
    sample: (ctx.data.sample as string[] | undefined) ?? [],
    estimate: {
      requests,
      seconds: Math.ceil(Math.max(budgetSeconds, listingSeconds)),
      budget: budget ? describeBudget(budget) : null,
    },
  };
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
