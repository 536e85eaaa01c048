// move: copy to another namespace, then delete from the source only the keys whose copy was read
// back from the target and found equal (value, metadata, expiration). A key whose copy cannot be
// verified within the consistency window stays in the source and is reported. Its dry run is a
// plan, applied as a copy's is (copy.server.ts).
import { BULK_GET_MAX_KEYS } from "~/kv/limits";
import { type MovePayload, movePayload } from "../payloads";
import { claimPlan } from "./plans.server";
import { COPY_BATCH, copyKeys, prepareCopy } from "./copy.server";
import { defineKind } from "./kind.server";
import { finishCopies, jobCopier } from "./recycle.server";

export const move = defineKind<MovePayload>({
  kind: "move",
  payload: movePayload,
  destructive: true,
  // Read, write, read back, delete.
  bulkRequests: (matched) => 2 * Math.ceil(matched / BULK_GET_MAX_KEYS) + 2 * Math.ceil(matched / COPY_BATCH),
  plans: true,
  prepare: (input) => prepareCopy(input, "move"),
  persist: (store, jobId, payload) => claimPlan(store, "move", jobId, payload.plan),
  run: async (ctx) => copyKeys(ctx, { move: true, copier: await jobCopier(ctx, "move", `Moved to ${ctx.payload.targetNamespaceId}`) }),
  cleanup: async (deps, job, end) => {
    if (end !== "paused") await finishCopies(deps, job);
    // The target's keys are the job's own working set; a dry run's planned keys are its plan.
    if (end === "succeeded" || end === "cancelled") await deps.store.keys.clear(job.id, "existing");
  },
});
