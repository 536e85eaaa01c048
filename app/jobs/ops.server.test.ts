// The bulk fallback of a job's requests when the job stops between the rounds that re-send the
// keys a bulk request reported unsuccessful.
import { expect, test } from "vitest";
import type { KvUpstream } from "~/kv/upstream.server";
import { Aimd } from "./aimd";
import { JobOps } from "./ops.server";
import { BatchStopped, JobStopped, isStopped } from "./stop";

function setup(unsuccessful: (call: number, keys: string[]) => string[]) {
  const controller = new AbortController();
  const calls: string[][] = [];
  const upstream = {
    async bulkDelete(_ns: string, keys: string[]) {
      calls.push(keys);
      const refused = unsuccessful(calls.length, keys);
      return { successfulKeyCount: keys.length - refused.length, unsuccessfulKeys: refused };
    },
  } as unknown as KvUpstream;
  const ops = new JobOps(controller.signal, new Aimd(), () => 0);
  return { controller, calls, upstream, ops };
}

test("stopped while waiting to re-send: throws a BatchStopped with the keys already applied", async () => {
  const keys = ["a", "b", "c", "d", "e"];
  const { controller, calls, upstream, ops } = setup((call) => (call === 1 ? ["b", "d"] : []));
  const pending = ops.deleteKeys(upstream, "ns", keys);
  // The first round has answered; the job stops during the backoff before the second.
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(calls).toEqual([keys]);
  controller.abort(new JobStopped("pause"));
  const error = await pending.catch((e) => e);
  expect(error).toBeInstanceOf(BatchStopped);
  expect(isStopped(error)).toBe(true);
  expect(error.reason).toBe("pause");
  expect(error.applied).toEqual(["a", "c", "e"]);
  expect(calls).toHaveLength(1);
});

test("stopped before anything was applied: the plain stop", async () => {
  const { controller, upstream, ops } = setup(() => []);
  controller.abort(new JobStopped("cancel"));
  const error = await ops.deleteKeys(upstream, "ns", ["a"]).catch((e) => e);
  expect(error).toBeInstanceOf(JobStopped);
  expect(error).not.toBeInstanceOf(BatchStopped);
});

test("not stopped: the retry rounds apply every key", async () => {
  const { calls, upstream, ops } = setup((call) => (call === 1 ? ["b"] : []));
  const outcome = await ops.deleteKeys(upstream, "ns", ["a", "b", "c"]);
  expect(outcome).toEqual({ succeeded: 3, failed: [] });
  expect(calls).toEqual([["a", "b", "c"], ["b"]]);
});
