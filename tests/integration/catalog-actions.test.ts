// The namespace page's catalog actions (app/features/catalog/actions.server.ts): an admin sets the
// refresh schedule from the listed choices (an editor may not; anything else is refused with a
// message); removing a catalog cancels its listing under way and takes its keys with it.
import type { AppLoadContext } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { expect, test } from "vitest";
import type { SessionUser } from "~/auth/roles";
import { catalogAction } from "~/features/catalog/actions.server";
import { useJobsOnLocalKv, waitForJob, startIndex } from "../helpers/jobs";

const t = useJobsOnLocalKv();

async function act(role: SessionUser["role"], namespaceId: string, fields: Record<string, string>) {
  const context = { services: { ...t.h.services, database: { db: t.kv.db } }, user: null } as unknown as AppLoadContext;
  const user: SessionUser = { id: 0, username: `${role}-user`, role };
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  const answer = await catalogAction({ context, user, form, connectionId: t.h.connectionId, namespaceId });
  return { status: answer.init?.status ?? 200, body: answer.data };
}

const newNamespace = async () => (await t.kv.store.createNamespace(t.kv.accountId, `actions-${crypto.randomUUID()}`))!.id;

test("an admin schedules refreshes from the listed intervals; an editor may not; an unknown interval is refused", async () => {
  const ns = await newNamespace();
  expect(await act("admin", ns, { intent: "schedule", refreshEveryMs: "86400000" })).toMatchObject({ status: 404 });
  await t.h.services.connections.catalog.ensure(t.h.connectionId, ns);
  expect(await act("editor", ns, { intent: "schedule", refreshEveryMs: "86400000" })).toMatchObject({ status: 403 });
  expect(await act("admin", ns, { intent: "schedule", refreshEveryMs: "12345" })).toMatchObject({
    status: 400,
    body: { ok: false, error: "“12345” is not one of the refresh intervals." },
  });
  expect(await act("admin", ns, { intent: "schedule", refreshEveryMs: "86400000" })).toMatchObject({ status: 200, body: { ok: true } });
  expect((await t.h.services.connections.catalog.get(t.h.connectionId, ns))!.refreshEveryMs).toBe(86_400_000);
  expect(await act("admin", ns, { intent: "schedule", refreshEveryMs: "" })).toMatchObject({ status: 200 });
  expect((await t.h.services.connections.catalog.get(t.h.connectionId, ns))!.refreshEveryMs).toBeNull();
  expect(await act("admin", ns, { intent: "other" })).toMatchObject({ status: 400 });
});

test("removing a catalog cancels its listing under way and removes its keys", async () => {
  const ns = await newNamespace();
  await t.h.upstream.bulkWrite(
    ns,
    Array.from({ length: 3000 }, (_, i) => ({ key: `k/${i}`, value: "v" })),
  );
  t.kv.faults.update({ holdListsAfter: 1 });
  const job = await startIndex(t.h, ns);
  await waitForJob(t.h, job.id, { until: (j) => j.counters.scanned >= 1000 });
  const catalog = (await t.h.services.connections.catalog.get(t.h.connectionId, ns))!;
  expect(await act("editor", ns, { intent: "remove" })).toMatchObject({ status: 200, body: { ok: true } });
  t.kv.faults.reset();
  expect((await waitForJob(t.h, job.id)).state).toBe("cancelled");
  expect(await t.h.services.connections.catalog.get(t.h.connectionId, ns)).toBeNull();
  const rows = (await t.kv.db.execute(sql`select count(*)::int as n from catalog_keys where catalog_id = ${catalog.id}`)) as unknown as {
    rows: { n: number }[];
  };
  expect(rows.rows[0].n).toBe(0);
});
