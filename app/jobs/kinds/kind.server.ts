// What a job kind is: a payload schema, checks made when the job is started, an idempotent
// handler made of resumable steps, what a dry run's estimate adds, and what to tidy up at the end.
// Also the listing helpers most kinds share.
import type { z } from "zod";
import type { Connection, Job } from "~/db/schema";
import { compareKeys } from "~/kv/key-order";
import { type KeyRule, compileRule, isEmptyRule } from "~/kv/key-rule";
import type { KeyInfo, KvUpstream } from "~/kv/upstream.server";
import type { JobContext, JobDeps } from "../context.server";
import { listingSource } from "../ops.server";
import type { PipelineSpec } from "../pipeline.server";
import type { JobStore } from "../store.server";
import type { JobKind } from "../types";

export interface PrepareInput<P> {
  deps: JobDeps;
  payload: P;
  connection: Connection;
  namespaceId: string;
  dryRun: boolean;
}

export type JobEnd = "succeeded" | "failed" | "cancelled" | "paused";

export interface JobKindDefinition<P, Stored = P> {
  kind: JobKind;
  /** What startJob accepts. */
  payload: z.ZodType<P, z.ZodTypeDef, unknown>;
  /** What the job row holds, when it differs (delete-selected keeps its keys in job_keys). */
  stored?: z.ZodType<Stored, z.ZodTypeDef, unknown>;
  /** Changes keys for good: the pages ask for confirmation, and a dry run first. */
  destructive: boolean;
  /** Checks that need the services; throws JobInputError. May return the expected number of keys. */
  prepare?(input: PrepareInput<P>): Promise<{ totalEstimate?: number | null } | void>;
  /** The payload the row holds, when it differs from what startJob accepted. */
  toStored?(payload: P): Stored;
  /** Right after the row is inserted, in the same transaction: stores what does not fit the row. */
  persist?(store: JobStore, jobId: string, payload: P): Promise<void>;
  run(ctx: JobContext<Stored>): Promise<void>;
  /** Requests the real run needs beyond the listing a dry run already made, for `matched` keys. */
  bulkRequests(matched: number, payload: Stored): number;
  /**
   * Its dry run is a plan: it stores the matching keys (job_keys `planned`), and a real run given
   * the plan sends only bulkRequests, with no listing (see purge.server.ts).
   */
  plans?: boolean;
  /** After the job stopped (or was cancelled without running). Must tolerate being called twice. */
  cleanup?(deps: JobDeps, job: Job, end: JobEnd): Promise<void>;
}

/** A request the person can correct: bad payload, missing upload, same source and target. */
export class JobInputError extends Error {
  readonly name = "JobInputError";
  constructor(
    message: string,
    /** Field errors, as zod's flatten().fieldErrors gives them. */
    readonly fieldErrors: Record<string, string[] | undefined> = {},
  ) {
    super(message);
  }
}

export const defineKind = <P, Stored = P>(definition: JobKindDefinition<P, Stored>) => definition;

/**
 * The listing part of a pipeline over a namespace: the upstream lists only under the rule's
 * prefix (or a glob's literal start), and the rule filters each page.
 */
export function listing(
  ctx: JobContext<unknown>,
  upstream: KvUpstream,
  namespaceId: string,
  rule: KeyRule | undefined,
): Pick<PipelineSpec<KeyInfo, string>, "source" | "position" | "compare" | "keyOf" | "filter"> {
  const prefix = rule ? listPrefix(rule) : undefined;
  const filter = rule && !isEmptyRule(rule) ? compileRule(rule) : undefined;
  return {
    source: (start) => listingSource(ctx.ops, upstream, namespaceId, prefix, start),
    position: (key) => key.name,
    compare: compareKeys,
    keyOf: (key) => key.name,
    filter,
  };
}

/** The longest literal start every match must have, or undefined. */
export function listPrefix(rule: KeyRule): string | undefined {
  const globStart = rule.glob ? literalStart(rule.glob) : "";
  const prefix = rule.prefix ?? "";
  const longest = globStart.startsWith(prefix) ? globStart : prefix;
  return longest || undefined;
}

function literalStart(glob: string): string {
  const wildcard = glob.search(/[*?[]/);
  return wildcard === -1 ? glob : glob.slice(0, wildcard);
}

/** The listing of a target namespace, recorded in job_keys `existing` (only keys of set `among`, if given). */
export function existingKeysStep(ctx: JobContext<unknown>, upstream: KvUpstream, namespaceId: string, among?: "file") {
  return {
    ...listing(ctx, upstream, namespaceId, undefined),
    auxiliary: true,
    concurrency: 1,
    batch: { maxItems: 1000 },
    async process(keys: KeyInfo[]) {
      await ctx.deps.store.keys.addExisting(
        ctx.id,
        keys.map((k) => k.name),
        among,
      );
      return { succeeded: 0, skipped: 0, failed: [] };
    },
  } satisfies PipelineSpec<KeyInfo, string>;
}
