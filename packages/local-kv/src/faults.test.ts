import { describe, expect, it } from "vitest";
import { DEFAULT_FAULTS, FaultError, Faults, parseFaults, seededRandom } from "./faults";

describe("parseFaults", () => {
  it("parses KVDECK_FAULTS", () => {
    expect(parseFaults("error=0.05,latency=200ms,partial=0.01,burst429=0.02,failKeys=^bad-,seed=7")).toEqual({
      error: 0.05,
      latencyMs: 200,
      partial: 0.01,
      burst429: 0.02,
      failKeys: "^bad-",
      seed: 7,
    });
    expect(parseFaults("latency=2s")).toEqual({ latencyMs: 2000 });
    expect(parseFaults("latency=15")).toEqual({ latencyMs: 15 });
    expect(parseFaults("")).toEqual({});
    expect(parseFaults(undefined)).toEqual({});
    expect(parseFaults("off")).toEqual({});
  });

  it.each(["error", "error=2", "error=-0.1", "error=abc", "latency=fast", "failKeys=(", "surprise=1", "seed=1.5"])("refuses %s", (text) => {
    expect(() => parseFaults(text)).toThrow(FaultError);
  });
});

describe("Faults", () => {
  it("is inactive by default and picks nothing", () => {
    const faults = new Faults();
    expect(faults.inactive).toBe(true);
    expect(faults.settings).toEqual(DEFAULT_FAULTS);
    expect(faults.pickError()).toBeNull();
    expect(faults.pickBurst429()).toBe(false);
    expect(faults.splitBulk(["a", "b"], (k) => k)).toEqual({ apply: ["a", "b"], failed: [] });
  });

  it("repeats the same faults for the same seed", () => {
    const run = () => {
      const faults = new Faults({ error: 0.5, seed: 11 });
      return Array.from({ length: 50 }, () => faults.pickError());
    };
    const first = run();
    expect(first).toEqual(run());
    expect(first.filter((s) => s === null).length).toBeGreaterThan(10);
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(5);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(5);
  });

  it("takes an injected random source", () => {
    const dice = [0.1, 0.9, 0.2, 0.3];
    const faults = new Faults({ partial: 0.25 }, () => dice.shift()!);
    expect(faults.splitBulk(["a", "b", "c", "d"], (k) => k)).toEqual({ apply: ["b", "d"], failed: ["a", "c"] });
  });

  it("fails every key matching failKeys, and never half-applies a duplicate of a failed key", () => {
    const faults = new Faults({ failKeys: "^bad-" });
    expect(faults.keyAlwaysFails("bad-1")).toBe(true);
    expect(faults.keyAlwaysFails("good-bad-1")).toBe(false);
    const items = [{ k: "bad-1" }, { k: "ok" }, { k: "bad-1" }];
    expect(faults.splitBulk(items, (i) => i.k)).toEqual({ apply: [{ k: "ok" }], failed: ["bad-1"] });
  });

  it("validates a whole update before applying any of it", () => {
    const faults = new Faults({ error: 0.1 });
    expect(() => faults.update({ error: 0.2, latencyMs: -1 })).toThrow(FaultError);
    expect(faults.settings.error).toBe(0.1);
    expect(faults.update({ failKeys: "" }).failKeys).toBeNull();
    expect(faults.reset()).toEqual(DEFAULT_FAULTS);
  });

  it("holds key listings beyond holdListsAfter until the hold is changed or cleared", async () => {
    const faults = new Faults();
    expect(faults.update({ holdListsAfter: 1 }).holdListsAfter).toBe(1);
    expect(faults.inactive).toBe(false);
    await faults.hold("list"); // the first goes through
    const released: string[] = [];
    const second = faults.hold("list").then(() => released.push("second"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual([]);
    // A new count lets the held one go and starts counting again.
    faults.update({ holdListsAfter: 0 });
    await second;
    const third = faults.hold("list").then(() => released.push("third"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual(["second"]);
    faults.update({ holdListsAfter: null });
    await third;
    expect(released).toEqual(["second", "third"]);
    expect(faults.inactive).toBe(true);
    await faults.hold("list");
    expect(() => faults.update({ holdListsAfter: -1 })).toThrow(FaultError);
  });

  it("holds bulk deletes apart from listings", async () => {
    const faults = new Faults({ holdBulkDeletesAfter: 0 });
    await faults.hold("list");
    const released: string[] = [];
    const held = faults.hold("bulkDelete").then(() => released.push("delete"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual([]);
    faults.update({ holdListsAfter: null }); // another hold's change lets nothing go
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual([]);
    faults.update({ holdBulkDeletesAfter: null });
    await held;
    expect(released).toEqual(["delete"]);
  });

  it("lets held listings go on reset", async () => {
    const faults = new Faults({ holdListsAfter: 0 });
    const held = faults.hold("list");
    faults.reset();
    await held;
    expect(faults.settings.holdListsAfter).toBeNull();
  });

  it("has a random source in [0, 1)", () => {
    const random = seededRandom(123);
    for (let i = 0; i < 1000; i++) {
      const x = random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
