// copy: a namespace, or a rule's matches, into another namespace (same or another connection),
// by bulk reads (100 keys a request) and bulk writes. Values, binary ones included, metadata and
// expirations are copied as they are. Collision policy: overwrite, or skip keys the target has
// (its keys are listed first into job_keys). move (move.server.ts) is a copy that then deletes
// from the source only the keys whose copy was read back from the target and found equal.
//
// Its dry run is a plan (decision 019): the matching keys are stored; a copy or move given `plan`
// handles exactly those (read from the plan, no listing of the source), then with `recheck` lists
// the rule and handles matching keys the plan does not hold.
import { BULK_GET_MAX_KEYS, MIN_EXPIRATION_TTL_SECONDS } from "~/kv/limits";
import type { BulkWriteItem, KeyInfo, KvUpstream } from "~/kv/upstream.server";
import { nowSeconds } from "~/utils/time";
import { sleep } from "~/kv/retry";
import { BatchStopped, type JobContext, JobFailure, JobStopped } from "../context.server";
import type { ReadValue } from "../ops.server";
import { type CopyPayload, copyPayload } from "../payloads";
import { type BatchOutcome, runPipeline } from "../pipeline.server";
import type { KeyError } from "../store.server";
import type { JobKind, PlanApplyResult } from "../types";
import { JobInputError, type PrepareInput, defineKind, existingKeysStep, listing } from "./kind.server";
import { claimPlan, plannedKeys, preparePlan, recheckUnplanned, recordPlanned } from "./plans.server";
import type { JobCopier } from "./recycle.server";

/** Keys a batch reads, holds and writes at once (several batches run at a time). */
export const COPY_BATCH = 2_000;
/** How long a move keeps reading back copies the upstream does not show yet (eventual consistency). */
export const VERIFY_WINDOW_MS = 90_000;
const VERIFY_FIRST_WAIT_MS = 1_000;
const VERIFY_MAX_WAIT_MS = 15_000;

export const NOT_VERIFIED = "The copy could not be read back from the target, so the source key was kept.";
const EXPIRES_TOO_SOON = `The key expires within ${MIN_EXPIRATION_TTL_SECONDS} s; the upstream refuses such an expiration, so it was not copied.`;

export const copy = defineKind<CopyPayload>({
  kind: "copy",
  payload: copyPayload,
  destructive: true,
  plans: true,
  bulkRequests: (matched) => Math.ceil(matched / BULK_GET_MAX_KEYS) + Math.ceil(matched / COPY_BATCH),
  prepare: (input) => prepareCopy(input, "copy"),
  persist: (store, jobId, payload) => claimPlan(store, "copy", jobId, payload.plan),
  run: (ctx) => copyKeys(ctx, { move: false }),
  cleanup: async (deps, job, end) => {
    // The target's keys are the job's own working set; a dry run's planned keys are its plan.
    if (end === "succeeded" || end === "cancelled") await deps.store.keys.clear(job.id, "existing");
  },
});

/** A copy's or move's start: its target, and the plan it applies (same rule, target and collision policy). */
export async function prepareCopy(input: PrepareInput<CopyPayload>, kind: Extract<JobKind, "copy" | "move">) {
  await checkTarget(input);
  return preparePlan({ ...input, payload: { ...input.payload, rule: input.payload.rule ?? {} } }, kind, kind, {
    of: (p) => {
      const { targetConnectionId, targetNamespaceId, onCollision } = (p ?? {}) as CopyPayload;
      return { targetConnectionId, targetNamespaceId, onCollision: onCollision ?? "overwrite" };
    },
    differ: "was made for another target or another choice for keys that exist there",
  });
}

/** The target must exist and must not be the source. */
async function checkTarget({ deps, payload, connection, namespaceId }: PrepareInput<CopyPayload>) {
  const targetConnection = payload.targetConnectionId === undefined ? connection : await deps.connections.get(payload.targetConnectionId);
  if (!targetConnection) throw new JobInputError("The target connection does not exist.", { targetConnectionId: ["No such connection"] });
  if (targetConnection.accountId === connection.accountId && payload.targetNamespaceId === namespaceId) {
    throw new JobInputError("The target is the source namespace.", { targetNamespaceId: ["Choose another namespace"] });
  }
  const upstream = await deps.connections.upstreamFor(targetConnection);
  try {
    await upstream.getNamespace(payload.targetNamespaceId);
  } catch {
    throw new JobInputError("The target namespace does not exist.", { targetNamespaceId: ["No such namespace"] });
  }
}

export async function copyKeys(ctx: JobContext<CopyPayload>, { move, copier }: { move: boolean; copier?: JobCopier | null }) {
  const { rule, targetNamespaceId, onCollision, plan, recheck } = ctx.payload;
  const sourceNamespace = ctx.row.namespaceId;
  const target = await ctx.upstreamFor(ctx.payload.targetConnectionId ?? ctx.row.connectionId);
  const { store } = ctx.deps;
  if (target.accountId === ctx.accountId && targetNamespaceId === sourceNamespace)
    throw new JobFailure("The target is the source namespace.");

  if (onCollision === "skip") {
    await ctx.step("existing", async (resume) => {
      await runPipeline(ctx, existingKeysStep(ctx, target, targetNamespaceId), resume);
      ctx.data.collisions = await store.keys.count(ctx.id, "existing");
      // What applying this dry run's plan lists again (the target), beside its bulk requests.
      if (ctx.dryRun) ctx.data.applyListRequests = ctx.requestsUsed;
    });
  }

  /** Copies a batch of source keys (and, for a move, deletes the verified ones from the source). */
  const copyBatch = async (batch: string[]): Promise<BatchOutcome> => {
    let names = batch;
    let skipped = 0;
    if (onCollision === "skip") {
      const existing = await store.keys.keysIn(ctx.id, "existing", names);
      skipped += existing.size;
      names = names.filter((n) => !existing.has(n));
    }
    const values = await ctx.ops.readValues(ctx.upstream, sourceNamespace, names);
    // Keys that vanished between the listing and the read are skipped.
    skipped += names.length - values.size;
    const failed: KeyError[] = [];
    const writes: BulkWriteItem[] = [];
    const soon = nowSeconds() + MIN_EXPIRATION_TTL_SECONDS;
    for (const [key, read] of values) {
      if (read.expiration !== undefined && read.expiration < soon) failed.push({ key, error: EXPIRES_TOO_SOON });
      else writes.push(toWrite(key, read));
    }
    const written = await ctx.ops.writeItems(target, targetNamespaceId, writes).catch((error) => {
      // A move's keys are done only once deleted from the source: copies written before a
      // stop count for nothing yet (the resume writes them again, then deletes them).
      throw move && error instanceof BatchStopped ? new JobStopped(error.reason) : error;
    });
    failed.push(...written.failed);
    if (!move) return { succeeded: written.succeeded, skipped, failed };

    const refused = new Set(written.failed.map((f) => f.key));
    const copied = new Map(writes.filter((w) => !refused.has(w.key)).map((w) => [w.key, values.get(w.key)!]));
    const verified = await verifyCopies(ctx, target, targetNamespaceId, copied);
    for (const key of copied.keys()) if (!verified.has(key)) failed.push({ key, error: NOT_VERIFIED });
    // The source's values were read for the copy: the recycle bin keeps them with no request more.
    await copier?.keepRead(values, verified);
    const deleted = await ctx.ops.deleteKeys(ctx.upstream, sourceNamespace, [...verified]);
    for (const f of deleted.failed) failed.push({ key: f.key, error: `Copied, but not deleted from the source: ${f.error}` });
    return { succeeded: deleted.succeeded, skipped, failed };
  };
  const stepName = move ? "move" : "copy";

  if (plan) {
    ctx.result = { plan, recheck: Boolean(recheck) } satisfies PlanApplyResult;
    await ctx.step(stepName, (resume) => runPipeline(ctx, { ...plannedKeys(ctx, plan, COPY_BATCH), process: copyBatch }, resume));
  }
  if (!plan || recheck) {
    await ctx.step(plan ? "recheck" : stepName, (resume) =>
      runPipeline(
        ctx,
        {
          ...listing(ctx, ctx.upstream, sourceNamespace, rule),
          batch: { maxItems: COPY_BATCH },
          // Dry run: the plan's keys.
          plan: (keys) => recordPlanned(ctx, keys),
          process: (keys: KeyInfo[]) => {
            const names = keys.map((k) => k.name);
            return plan ? recheckUnplanned(ctx, plan, names, copyBatch) : copyBatch(names);
          },
        },
        resume,
      ),
    );
  }
  ctx.totalEstimate = plan ? Math.max(ctx.totalEstimate ?? 0, ctx.counters.processed) : ctx.counters.matched;
  if (!ctx.dryRun) ctx.result = { ...(ctx.result as object | null), targetNamespaceId, collisions: ctx.data.collisions ?? null };
}

/** Reads the copies back until each equals its source (or the window closes); returns the keys that do. */
async function verifyCopies(
  ctx: JobContext<unknown>,
  target: KvUpstream,
  namespaceId: string,
  expected: Map<string, ReadValue>,
): Promise<Set<string>> {
  const verified = new Set<string>();
  let pending = [...expected.keys()];
  const started = Date.now();
  for (let attempt = 0; pending.length > 0; attempt++) {
    const read = await ctx.ops.readValues(target, namespaceId, pending);
    for (const key of pending) if (sameValue(read.get(key), expected.get(key)!)) verified.add(key);
    pending = pending.filter((key) => !verified.has(key));
    const wait = Math.min(VERIFY_MAX_WAIT_MS, VERIFY_FIRST_WAIT_MS * 2 ** attempt);
    if (pending.length === 0 || Date.now() - started + wait > VERIFY_WINDOW_MS) break;
    await sleep(wait, ctx.signal);
  }
  return verified;
}

function sameValue(found: ReadValue | undefined, expected: ReadValue): boolean {
  if (!found) return false;
  return (
    found.value === expected.value &&
    found.base64 === expected.base64 &&
    JSON.stringify(found.metadata ?? null) === JSON.stringify(expected.metadata ?? null) &&
    (found.expiration ?? null) === (expected.expiration ?? null)
  );
}

function toWrite(key: string, read: ReadValue): BulkWriteItem {
  const item: BulkWriteItem = { key, value: read.value };
  if (read.base64) item.base64 = true;
  if (read.metadata !== undefined) item.metadata = read.metadata;
  if (read.expiration !== undefined) item.expiration = read.expiration;
  return item;
}
