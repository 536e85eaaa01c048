// The request budget (429 + Retry-After, then recovery) and injected faults (5xx, latency, burst
// 429s, partial bulk failures, failKeys), driven through the SDK and the control endpoint.
import Cloudflare from "cloudflare";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_FAULTS } from "../src/faults";
import { kvClients, rawFailure, sdkFailure } from "./helpers/kv-clients";
import { useLocalKv } from "./helpers/use-local-kv";
import { openApi } from "./helpers/openapi";

describe("rate limit 5/2s", () => {
  // The limiter's clock, moved by the tests: the window never passes unless a test says so, however
  // slowly the requests go out on a loaded machine.
  let now = 1_000_000_000;
  let clock = () => now;
  const { kv, c } = useLocalKv({ rateLimit: "5/2s", rateLimitClock: () => clock() });
  beforeEach(() => {
    now += 60_000; // a fresh window: nothing an earlier test sent counts
    clock = () => now;
  });

  it("answers the 6th request in the window with 429 + Retry-After, and accepts again once it has passed", async () => {
    const list = () => c.sdk.kv.namespaces.list({ account_id: kv.accountId });
    for (let i = 0; i < 5; i++) await list();
    const res = await c.raw("GET", c.path());
    expect(await rawFailure(res)).toMatchObject({ status: 429, code: 10022 });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);

    const failure = await sdkFailure(list());
    expect(failure).toMatchObject({ status: 429, code: 10022 });
    expect(failure.message).toMatch(/More than 5 requests per 2 seconds/);

    // Control endpoints are outside the budget.
    expect((await c.raw("GET", "/__kvdeck/faults")).status).toBe(200);

    // A millisecond short of what Retry-After said is still refused; exactly that long is enough.
    now += retryAfter * 1000 - 1;
    expect(await sdkFailure(list())).toMatchObject({ status: 429, code: 10022 });
    now += 1;
    expect((await list()).result).toBeDefined();
  });

  it("lets the SDK recover on its own: it retries 429 after Retry-After", async () => {
    // The first 6 requests share one instant (the 6th is refused); the SDK's retry, sent after it
    // waited Retry-After, arrives once the window has passed.
    let requests = 0;
    clock = () => (++requests <= 6 ? now : now + 2_000);
    const patient = kvClients(kv, { maxRetries: 2 });
    for (let i = 0; i < 5; i++) await patient.sdk.kv.namespaces.list({ account_id: kv.accountId });
    const before = Date.now();
    const page = await patient.sdk.kv.namespaces.list({ account_id: kv.accountId });
    expect(page.result).toBeDefined();
    expect(requests).toBe(7); // refused once, then retried once
    expect(Date.now() - before).toBeGreaterThanOrEqual(900); // it waited Retry-After (1 s or more)
    expect(patient.violations).toEqual([]); // the 429 it met validated too
  });
});

describe("faults", () => {
  const { kv, c } = useLocalKv();
  let ns: string;
  beforeEach(async () => {
    kv.faults.reset();
    ns = await c.namespace("faults");
  });
  afterEach(() => {
    kv.faults.reset();
  });

  const setFaults = async (body: Record<string, unknown>) => {
    const res = await c.raw("PUT", "/__kvdeck/faults", { body });
    expect(res.status).toBe(200);
    return (await res.json()).result;
  };
  const bulkWrite = (keys: string[]) =>
    c.sdk.kv.namespaces.bulkUpdate(ns, { account_id: kv.accountId, body: keys.map((key) => ({ key, value: `v-${key}` })) });
  const names = async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.sdk.kv.namespaces.keys.list(ns, { account_id: kv.accountId, ...(cursor ? { cursor } : {}) });
      all.push(...page.result.map((k) => k.name));
      cursor = page.result_info.cursor || undefined;
    } while (cursor);
    return all;
  };

  it("answers every request 500/503 with an envelope at error=1, writes nothing, and recovers when reset", async () => {
    await setFaults({ error: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const res = await c.raw("PUT", `${c.path(ns)}/values/k${i}`, { body: "v" });
      const failure = await rawFailure(res);
      expect([500, 503]).toContain(failure.status);
      expect(openApi().componentProblems("2026", "workers-kv_api-response-common-failure", failure.body)).toEqual([]);
      statuses.add(failure.status);
    }
    expect([...statuses].sort()).toEqual([500, 503]);
    const sdkError = await c.sdk.kv.namespaces.list({ account_id: kv.accountId }).catch((e) => e);
    expect(sdkError).toBeInstanceOf(Cloudflare.InternalServerError);

    expect((await (await c.raw("DELETE", "/__kvdeck/faults")).json()).result).toEqual(DEFAULT_FAULTS);
    expect(await names()).toEqual([]);
  });

  it("fails a seeded fraction of requests, the same ones on every run", async () => {
    const run = async () => {
      await setFaults({ error: 0.5, seed: 42 });
      const outcome: number[] = [];
      for (let i = 0; i < 20; i++) outcome.push((await c.raw("GET", c.path(ns))).status);
      return outcome;
    };
    const first = await run();
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(first.filter((s) => s >= 500).length).toBeGreaterThan(3);
    expect(await run()).toEqual(first);
  });

  it("lets an SDK with retries ride through a 5xx rate", async () => {
    await setFaults({ error: 0.3, seed: 7 });
    const patient = kvClients(kv, { maxRetries: 5 });
    for (let i = 0; i < 5; i++)
      await patient.sdk.kv.namespaces.values.update(`k${i}`, { account_id: kv.accountId, namespace_id: ns, value: "v" });
    await setFaults({ error: 0 });
    expect(await names()).toEqual(["k0", "k1", "k2", "k3", "k4"]);
    expect(patient.violations).toEqual([]);
  });

  it("adds latency to every request", async () => {
    await setFaults({ latencyMs: 200 });
    const started = performance.now();
    await c.sdk.kv.namespaces.get(ns, { account_id: kv.accountId });
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it("answers burst 429s with Retry-After: 1", async () => {
    await setFaults({ burst429: 1 });
    const res = await c.raw("GET", c.path(ns));
    expect(await rawFailure(res)).toMatchObject({ status: 429, code: 10022 });
    expect(res.headers.get("retry-after")).toBe("1");
  });

  it("leaves a seeded fraction of a bulk write unapplied and lists exactly those keys as unsuccessful", async () => {
    await setFaults({ partial: 0.3, seed: 3 });
    const keys = Array.from({ length: 200 }, (_, i) => `p${String(i).padStart(3, "0")}`);
    const result = await bulkWrite(keys);
    const failed = result!.unsuccessful_keys!;
    expect(failed.length).toBeGreaterThan(20);
    expect(failed.length).toBeLessThan(100);
    expect(result!.successful_key_count).toBe(keys.length - failed.length);
    await setFaults({ partial: 0 });
    expect(await names()).toEqual(keys.filter((k) => !failed.includes(k)));
    // Retrying just the unsuccessful keys completes the write, as a client should.
    expect(await bulkWrite(failed)).toEqual({ successful_key_count: failed.length, unsuccessful_keys: [] });
    expect(await names()).toEqual(keys);
  });

  it("leaves a seeded fraction of a bulk delete unapplied (both routes)", async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `d${String(i).padStart(3, "0")}`);
    await bulkWrite(keys);
    await setFaults({ partial: 0.5, seed: 9 });
    const viaSdk = await c.sdk.kv.namespaces.bulkDelete(ns, { account_id: kv.accountId, body: keys.slice(0, 50) });
    const viaDeprecated = (await (await c.raw("DELETE", `${c.path(ns)}/bulk`, { body: keys.slice(50) })).json()).result;
    const failed = [...viaSdk!.unsuccessful_keys!, ...viaDeprecated.unsuccessful_keys];
    expect(failed.length).toBeGreaterThan(10);
    expect(viaSdk!.successful_key_count! + viaDeprecated.successful_key_count).toBe(100 - failed.length);
    await setFaults({ partial: 0 });
    expect(await names()).toEqual(failed.sort());
  });

  it("always fails keys matching failKeys: unsuccessful in bulk, 500 for single writes and deletes", async () => {
    await setFaults({ failKeys: "^bad-" });
    expect(await bulkWrite(["good-1", "bad-1", "good-2", "bad-2"])).toEqual({
      successful_key_count: 2,
      unsuccessful_keys: ["bad-1", "bad-2"],
    });
    expect(await names()).toEqual(["good-1", "good-2"]);

    const single = (key: string) => c.sdk.kv.namespaces.values.update(key, { account_id: kv.accountId, namespace_id: ns, value: "v" });
    expect(await sdkFailure(single("bad-3"))).toMatchObject({ status: 500 });
    await single("fine");
    const del = (key: string) => c.sdk.kv.namespaces.values.delete(key, { account_id: kv.accountId, namespace_id: ns });
    expect(await sdkFailure(del("bad-1"))).toMatchObject({ status: 500 });

    kv.faults.update({ failKeys: null });
    await bulkWrite(["bad-1"]);
    kv.faults.update({ failKeys: "^bad-" });
    expect(await c.sdk.kv.namespaces.bulkDelete(ns, { account_id: kv.accountId, body: ["bad-1", "good-1"] })).toEqual({
      successful_key_count: 1,
      unsuccessful_keys: ["bad-1"],
    });
    // Reads are never affected.
    expect(await (await c.sdk.kv.namespaces.values.get("bad-1", { account_id: kv.accountId, namespace_id: ns })).text()).toBe("v-bad-1");
    expect(await names()).toEqual(["bad-1", "fine", "good-2"]);
  });

  it("reports faults, validates updates and leaves them unchanged on bad input", async () => {
    const set = await setFaults({ error: 0.05, latencyMs: 0, partial: 0.01, failKeys: "^x", burst429: 0 });
    expect(set).toEqual({ ...DEFAULT_FAULTS, error: 0.05, partial: 0.01, failKeys: "^x" });
    expect((await (await c.raw("GET", "/__kvdeck/faults")).json()).result).toEqual(set);
    for (const body of [{ error: 2 }, { error: "0.1" }, { latencyMs: -5 }, { failKeys: "(" }, { nope: 1 }, { error: 0.5, partial: -1 }]) {
      expect(await rawFailure(await c.raw("PUT", "/__kvdeck/faults", { body }))).toMatchObject({ status: 400, code: 10001 });
    }
    expect(kv.faults.settings).toEqual(set);
    expect(await rawFailure(await c.raw("GET", "/__kvdeck/faults", { token: null }))).toMatchObject({ status: 403, code: 10000 });
    expect(await rawFailure(await c.raw("GET", "/__kvdeck/nothing"))).toMatchObject({ status: 404, code: 7003 });
    // setFaults on the helper talks to the same object.
    kv.setFaults({ error: 0 });
    expect((await (await c.raw("GET", "/__kvdeck/faults")).json()).result.error).toBe(0);
  });
});
