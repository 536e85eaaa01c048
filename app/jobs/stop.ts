// How a job's work learns that it must stop (the abort reason of the job's signal), and the
// failure a handler reports to the person. In their own module so that ops and the context's
// parts (which context.server builds on) can throw them too.

/** Why a job stops before its end: asked to, its process is shutting down, a batch failed, or another runner took it over. */
export type StopReason = "pause" | "cancel" | "shutdown" | "error" | "lost";

/** Thrown (as the abort reason) wherever a job notices that it must stop. */
export class JobStopped extends Error {
  readonly name: string = "JobStopped";
  constructor(readonly reason: StopReason) {
    super(`job stopped: ${reason}`);
  }
}

export const isStopped = (error: unknown): error is JobStopped => error instanceof JobStopped;

/**
 * A batch's bulk writes or deletes stopped part-way, between retry rounds: `applied` holds the
 * keys the upstream already confirmed. The pipeline counts those as succeeded and checkpoints them
 * as done; the batch's other keys are left to the resume. Still a JobStopped for everyone else.
 */
export class BatchStopped extends JobStopped {
  readonly name: string = "BatchStopped";
  constructor(
    reason: StopReason,
    readonly applied: string[],
  ) {
    super(reason);
  }
}

/** A failure the handler reports to the person (the job fails with this message, no stack). */
export class JobFailure extends Error {
  readonly name = "JobFailure";
}
