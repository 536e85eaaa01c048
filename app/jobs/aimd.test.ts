// Adaptive concurrency: +1 per window of successes, halved by congestion once per event.
import { expect, test } from "vitest";
import { Aimd } from "./aimd";

test("grows by one per `limit` successes, up to the maximum", () => {
  const aimd = new Aimd({ initial: 2, max: 5 });
  aimd.success();
  aimd.success();
  expect(aimd.limit).toBe(2); // 2 + 1/2 + 1/2.5
  aimd.success();
  expect(aimd.limit).toBe(3);
  for (let i = 0; i < 3; i++) aimd.success();
  expect(aimd.limit).toBe(4); // about three more at 3
  for (let i = 0; i < 100; i++) aimd.success();
  expect(aimd.limit).toBe(5);
});

test("halves on a 429, but only once per congestion event", () => {
  let now = 0;
  const aimd = new Aimd({ initial: 8, max: 8, coolDownMs: 1000, now: () => now });
  aimd.congestion();
  aimd.congestion(); // the same burst of 429s
  expect(aimd.limit).toBe(4);
  now += 1500;
  aimd.congestion();
  expect(aimd.limit).toBe(2);
  now += 1500;
  aimd.congestion();
  now += 1500;
  aimd.congestion();
  expect(aimd.limit).toBe(1); // never below the minimum
});

test("a latency spike counts as congestion once there is a baseline", () => {
  let now = 0;
  const aimd = new Aimd({ initial: 6, max: 8, spikeFactor: 4, spikeFloorMs: 500, now: () => now });
  aimd.success(5_000); // no baseline yet: just a sample
  const fresh = new Aimd({ initial: 6, max: 8, spikeFactor: 4, spikeFloorMs: 500, now: () => now });
  for (let i = 0; i < 5; i++) fresh.success(200);
  const before = fresh.limit;
  now += 2_000;
  fresh.success(2_000); // 10× the average and over the floor
  expect(fresh.limit).toBe(Math.floor(before / 2));
  now += 2_000;
  fresh.success(400); // slower, but not a spike
  expect(fresh.decreases).toBe(1);
  expect(aimd.decreases).toBe(0);
});

test("successes without a latency sample (time spent waiting for budget) still grow it", () => {
  const aimd = new Aimd({ initial: 1, max: 4 });
  for (let i = 0; i < 10; i++) aimd.success(undefined);
  expect(aimd.limit).toBe(4);
});
