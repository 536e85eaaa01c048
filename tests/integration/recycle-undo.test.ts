// The recycle bin inline, against the local KV API and the real database: a delete keeps a copy
// before it deletes, an undo writes the copy back byte for byte (binary values, metadata, expiry,
// odd names), the rows come back as `creating` and stay so while the upstream still
// lists the deleted keys; a key written again since is not overwritten unless asked; refused
// writes, a vanished namespace and a full bin each end with a clear message and lose nothing.
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, test } from "vitest";
import { keyScope } from "~/cache/scopes";
import { deletedKeys } from "~/db/schema";
import { loadKeyPage } from "~/features/keys/page.server";
import { DeleteRefused, deleteKeys, type KeyTarget } from "~/features/keys/mutations.server";
import { namespaceGoneMessage } from "~/recycle/restore.server";
import { RestoreRefused, restoreInline, type RestoreTarget } from "~/features/recycle/restore.server";
import { DEFAULT_RECYCLE_SETTINGS } from "~/recycle/settings";
import type { RecycleStore } from "~/recycle/store.server";
import { useJobsOnLocalKv } from "../helpers/jobs";

const f = useJobsOnLocalKv({ kv: { consistencyDelayMs: 0 } });
const NOW = () => Math.floor(Date.now() / 1000);
/** Not UTF-8: bulk get cannot return it as text, so the copy reads it on its own. */
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0xc3]);

let recycle: RecycleStore;
beforeEach(async () => {
  recycle = f.h.jobs.deps.recycle;
  f.kv.faults.reset();
  f.kv.store.consistencyDelayMs = 0;
  await recycle.saveSettings(f.h.connectionId, DEFAULT_RECYCLE_SETTINGS);
});

async function namespaceWith(entries: { key: string; value: Buffer; metadata?: unknown; expiration?: number }[]) {
  const ns = (await f.kv.store.createNamespace(f.kv.accountId, `recycle-${crypto.randomUUID()}`))!.id;
  await f.kv.store.write(
    ns,
    entries.map((e) => ({
      key: e.key,
      value: e.value,
      metadata: e.metadata === undefined ? null : JSON.stringify(e.metadata),
      expiration: e.expiration ?? null,
    })),
  );
  return ns;
}

const keyTarget = (namespaceId: string): KeyTarget => ({
  cache: f.h.services.cache,
  upstream: f.h.upstream,
  namespaceId,
  recycle: { store: recycle, connectionId: f.h.connectionId, createdBy: "tester" },
});
const restoreTarget = (namespaceId: string): RestoreTarget => ({
  cache: f.h.services.cache,
  upstream: f.h.upstream,
  store: recycle,
  connectionId: f.h.connectionId,
  namespaceId,
  ttlMs: 120_000,
});
const page = (namespaceId: string) =>
  loadKeyPage(f.h.services.cache, f.h.upstream, { accountId: f.kv.accountId, namespaceId, prefix: "", cursor: "", after: null });
const stored = async (namespaceId: string, keys: string[]) => {
  const found = await f.kv.store.getMany(namespaceId, keys);
  return keys.map((k) => {
    const v = found.get(k);
    return v ? { key: k, value: v.value.toString("hex"), metadata: v.metadata, expiration: v.expiration } : { key: k, gone: true };
  });
};
const KEEP = { overwrite: false, expired: "skip" } as const;

describe("delete with a copy, then undo", () => {
  test("3 keys come back byte-identical: a binary value, metadata with U+0000, an expiry, an empty value, an odd name", async () => {
    const expiration = NOW() + 3600;
    const entries = [
      { key: "a/text", value: Buffer.from("héllo ✓"), metadata: { tag: "blog", n: [1, 2], nul: "x\u0000y" }, expiration },
      { key: "b/binary", value: BINARY, metadata: { kind: "bytes" } },
      { key: "c/ünï code ✓?#%/..", value: Buffer.from("") },
    ];
    const ns = await namespaceWith(entries);
    const keys = entries.map((e) => e.key);
    const before = await stored(ns, keys);

    const summary = await deleteKeys(keyTarget(ns), keys, { keepCopy: true });
    expect(summary).toMatchObject({ requested: 3, succeeded: 3, failed: [], copy: { keys: 3 } });
    expect((await stored(ns, keys)).every((s) => "gone" in s)).toBe(true);
    const deletion = await recycle.deletion(summary.opId);
    expect(deletion).toMatchObject({ keys: 3, restoredKeys: 0, operation: "delete", createdBy: "tester", namespaceId: ns });

    const restored = await restoreInline(restoreTarget(ns), summary.opId, null, KEEP);
    expect(restored).toMatchObject({ conflicts: [], expired: [], failed: [] });
    expect(restored.restored.map((r) => [r.name, r._meta?.status])).toEqual(keys.map((k) => [k, "creating"]));
    expect(await stored(ns, keys)).toEqual(before);
    // The copies of restored keys go; the deletion remembers how many came back.
    expect(await recycle.deletion(summary.opId)).toMatchObject({ keys: 3, restoredKeys: 3, bytes: 0 });
    expect(await f.kv.db.select().from(deletedKeys).where(eq(deletedKeys.deletionId, summary.opId))).toEqual([]);
  });

  test("while the upstream still lists the deleted keys, the restored rows show as creating, not settled", async () => {
    const ns = await namespaceWith([{ key: "k1", value: Buffer.from("one"), metadata: { v: 1 } }]);
    f.kv.store.consistencyDelayMs = 3_600_000;
    const summary = await deleteKeys(keyTarget(ns), ["k1"], { keepCopy: true });
    expect((await page(ns)).keys.map((k) => k.name)).toEqual([]);
    await restoreInline(restoreTarget(ns), summary.opId, null, KEEP);
    // The listing is stale (it shows the deleted key): it must not confirm the restore.
    const rows = (await page(ns)).keys;
    expect(rows.map((k) => [k.name, k._meta?.status])).toEqual([["k1", "creating"]]);
    const mark = await f.h.services.cache.getOne(keyScope(f.kv.accountId, ns), "k1");
    expect(mark?.intent).toBe("create");
  });

  test("a key written again since its delete is not overwritten, unless the person chooses to", async () => {
    const ns = await namespaceWith([
      { key: "same", value: Buffer.from("old") },
      { key: "rewritten", value: Buffer.from("old") },
    ]);
    const summary = await deleteKeys(keyTarget(ns), ["same", "rewritten"], { keepCopy: true });
    await f.kv.store.write(ns, [{ key: "rewritten", value: Buffer.from("new"), metadata: null, expiration: null }]);

    const first = await restoreInline(restoreTarget(ns), summary.opId, null, KEEP);
    expect(first.restored.map((r) => r.name)).toEqual(["same"]);
    expect(first.conflicts).toEqual(["rewritten"]);
    expect((await f.kv.store.get(ns, "rewritten"))!.value.toString()).toBe("new");
    // Its copy stays for a later choice.
    expect((await recycle.keys(summary.opId, { limit: 10 })).map((k) => k.key)).toEqual(["rewritten"]);

    const second = await restoreInline(restoreTarget(ns), summary.opId, ["rewritten"], { overwrite: true, expired: "skip" });
    expect(second.restored.map((r) => r.name)).toEqual(["rewritten"]);
    expect((await f.kv.store.get(ns, "rewritten"))!.value.toString()).toBe("old");
  });

  test("a value the upstream still returns, equal to the copy (the delete not yet consistent), is no conflict", async () => {
    const ns = await namespaceWith([{ key: "stale", value: Buffer.from("v"), metadata: { m: 1 } }]);
    f.kv.store.consistencyDelayMs = 3_600_000;
    const summary = await deleteKeys(keyTarget(ns), ["stale"], { keepCopy: true });
    expect(await f.kv.store.get(ns, "stale")).not.toBeNull();
    const result = await restoreInline(restoreTarget(ns), summary.opId, null, KEEP);
    expect(result).toMatchObject({ conflicts: [], failed: [] });
    expect(result.restored.map((r) => r.name)).toEqual(["stale"]);
  });

  test("a copy whose expiry has passed is reported, and restored only with a new expiry", async () => {
    const ns = await namespaceWith([{ key: "soon", value: Buffer.from("v") }]);
    const summary = await deleteKeys(keyTarget(ns), ["soon"], { keepCopy: true });
    // As if the copy had been taken with an expiry that has passed since.
    await f.kv.db
      .update(deletedKeys)
      .set({ expiration: NOW() - 10 })
      .where(eq(deletedKeys.deletionId, summary.opId));
    const first = await restoreInline(restoreTarget(ns), summary.opId, null, KEEP);
    expect(first).toMatchObject({ restored: [], expired: ["soon"] });
    expect(await f.kv.store.get(ns, "soon")).toBeNull();

    const second = await restoreInline(restoreTarget(ns), summary.opId, null, { overwrite: false, expired: 3600 });
    expect(second.restored.map((r) => r.name)).toEqual(["soon"]);
    const back = await f.kv.store.get(ns, "soon");
    expect(back!.expiration! - NOW()).toBeGreaterThan(3500);
  });
});

describe("what goes wrong loses nothing", () => {
  test("an upstream refusing some writes: those are reported and keep their copies, the rest come back", async () => {
    const ns = await namespaceWith(["ok-1", "bad-1", "ok-2"].map((key) => ({ key, value: Buffer.from(`v ${key}`) })));
    const summary = await deleteKeys(keyTarget(ns), ["ok-1", "bad-1", "ok-2"], { keepCopy: true });
    f.kv.setFaults({ failKeys: "^bad-" });
    const result = await restoreInline(restoreTarget(ns), summary.opId, null, KEEP);
    expect(result.restored.map((r) => r.name)).toEqual(["ok-1", "ok-2"]);
    expect(result.failed.map((x) => x.key)).toEqual(["bad-1"]);
    expect(result.failed[0].error).toMatch(/^Not restored: /);
    // The refused key's row shows its error; its copy is still there to try again.
    const mark = await f.h.services.cache.getOne(keyScope(f.kv.accountId, ns), "bad-1");
    expect(mark?.status).toBe("error");
    expect((await recycle.keys(summary.opId, { limit: 10 })).map((k) => k.key)).toEqual(["bad-1"]);
    f.kv.faults.reset();
    const retry = await restoreInline(restoreTarget(ns), summary.opId, null, KEEP);
    expect(retry.restored.map((r) => r.name)).toEqual(["bad-1"]);
    expect((await f.kv.store.get(ns, "bad-1"))!.value.toString()).toBe("v bad-1");
  });

  test("a restore into a namespace that no longer exists says so and keeps the copies", async () => {
    const ns = await namespaceWith([{ key: "k", value: Buffer.from("v") }]);
    const summary = await deleteKeys(keyTarget(ns), ["k"], { keepCopy: true });
    await f.kv.store.deleteNamespace(f.kv.accountId, ns);
    const refused = await restoreInline(restoreTarget(ns), summary.opId, null, KEEP).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RestoreRefused);
    expect((refused as Error).message).toBe(namespaceGoneMessage(ns));
    expect((await recycle.keys(summary.opId, { limit: 10 })).map((k) => k.key)).toEqual(["k"]);
    expect(await recycle.deletion(summary.opId)).toMatchObject({ keys: 1, restoredKeys: 0 });
  });

  test("a copy past the size cap deletes nothing, leaves no mark, and says what to do", async () => {
    const ns = await namespaceWith([
      { key: "big-1", value: Buffer.alloc(600, 1) },
      { key: "big-2", value: Buffer.alloc(600, 2) },
    ]);
    await recycle.saveSettings(f.h.connectionId, {
      ...DEFAULT_RECYCLE_SETTINGS,
      capBytes: 1000 + (await recycle.heldBytes(f.h.connectionId)),
    });
    const refused = await deleteKeys(keyTarget(ns), ["big-1", "big-2"], { keepCopy: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeleteRefused);
    expect((refused as Error).message).toMatch(/^The recycle bin is full: .* need 1\.2 KiB more, so they were not deleted\. /);
    expect((await stored(ns, ["big-1", "big-2"])).map((s) => "value" in s)).toEqual([true, true]);
    expect((await page(ns)).keys.map((k) => [k.name, k._meta?.status])).toEqual([
      ["big-1", undefined],
      ["big-2", undefined],
    ]);
    // The person may delete without a copy.
    const plain = await deleteKeys(keyTarget(ns), ["big-1", "big-2"]);
    expect(plain).toMatchObject({ succeeded: 2 });
    expect(plain.copy).toBeUndefined();
  });
});

describe("retention", () => {
  test("copies past their retention go; younger ones stay", async () => {
    const ns = await namespaceWith([{ key: "r", value: Buffer.from("v") }]);
    await recycle.saveSettings(f.h.connectionId, { ...DEFAULT_RECYCLE_SETTINGS, retentionDays: 2 });
    const summary = await deleteKeys(keyTarget(ns), ["r"], { keepCopy: true });
    const day = 24 * 3600 * 1000;
    expect(await recycle.prune(new Date(Date.now() + day))).toBe(0);
    expect(await recycle.deletion(summary.opId)).not.toBeNull();
    expect(await recycle.prune(new Date(Date.now() + 2 * day + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await recycle.deletion(summary.opId)).toBeNull();
    expect(await f.kv.db.select().from(deletedKeys).where(eq(deletedKeys.deletionId, summary.opId))).toEqual([]);
  });
});
